namespace Operational.Gateway.Ingest.Compatibility;

/// <summary>
/// The shortcodes LogSnag's documentation shows and the ones apps use most for events (Slack and
/// GitHub names). Not every shortcode: an unknown one is dropped with a warning, never guessed.
/// </summary>
internal static class EmojiShortcodes
{
    private static readonly Dictionary<string, string> Known = new(StringComparer.Ordinal)
    {
        ["moneybag"] = "💰", ["money_with_wings"] = "💸", ["dollar"] = "💵", ["credit_card"] = "💳", ["chart_with_upwards_trend"] = "📈",
        ["chart_with_downwards_trend"] = "📉", ["bar_chart"] = "📊", ["tada"] = "🎉", ["rocket"] = "🚀", ["fire"] = "🔥", ["sparkles"] = "✨",
        ["star"] = "⭐", ["star2"] = "🌟", ["zap"] = "⚡", ["boom"] = "💥", ["warning"] = "⚠️", ["rotating_light"] = "🚨", ["x"] = "❌",
        ["white_check_mark"] = "✅", ["heavy_check_mark"] = "✔️", ["no_entry"] = "⛔", ["bug"] = "🐛", ["lock"] = "🔒", ["unlock"] = "🔓",
        ["key"] = "🔑", ["bell"] = "🔔", ["mega"] = "📣", ["loudspeaker"] = "📢", ["email"] = "📧", ["envelope"] = "✉️", ["inbox_tray"] = "📥",
        ["outbox_tray"] = "📤", ["package"] = "📦", ["gift"] = "🎁", ["shopping_cart"] = "🛒", ["bust_in_silhouette"] = "👤",
        ["busts_in_silhouette"] = "👥", ["man"] = "👨", ["woman"] = "👩", ["wave"] = "👋", ["thumbsup"] = "👍", ["+1"] = "👍", ["thumbsdown"] = "👎",
        ["-1"] = "👎", ["clap"] = "👏", ["eyes"] = "👀", ["heart"] = "❤️", ["robot"] = "🤖", ["computer"] = "💻", ["gear"] = "⚙️",
        ["wrench"] = "🔧", ["hammer"] = "🔨", ["construction"] = "🚧", ["hourglass"] = "⌛", ["alarm_clock"] = "⏰", ["calendar"] = "📆",
        ["floppy_disk"] = "💾", ["cd"] = "💿", ["link"] = "🔗", ["memo"] = "📝", ["pencil"] = "📝", ["page_facing_up"] = "📄",
        ["mag"] = "🔍", ["bulb"] = "💡", ["trophy"] = "🏆", ["medal"] = "🏅", ["crown"] = "👑", ["gem"] = "💎", ["coffee"] = "☕",
        ["pizza"] = "🍕", ["beer"] = "🍺", ["green_circle"] = "🟢", ["red_circle"] = "🔴", ["yellow_circle"] = "🟡", ["large_blue_circle"] = "🔵",
        ["white_circle"] = "⚪", ["black_circle"] = "⚫", ["skull"] = "💀", ["ghost"] = "👻", ["smile"] = "😄", ["joy"] = "😂", ["cry"] = "😢",
        ["scream"] = "😱", ["thinking"] = "🤔", ["100"] = "💯", ["pushpin"] = "📌", ["triangular_flag_on_post"] = "🚩", ["checkered_flag"] = "🏁",
        ["earth_americas"] = "🌎", ["globe_with_meridians"] = "🌐", ["cloud"] = "☁️", ["sunny"] = "☀️", ["snowflake"] = "❄️", ["ticket"] = "🎫",
    };

    public static string? Find(string name) => Known.GetValueOrDefault(name);
}
