using Operational.Contracts.Api;
using Operational.Notifications.Channels;
using Operational.ServiceDefaults.Validation;

namespace Operational.UnitTests.Notifications;

public sealed class ChannelValidatorTests
{
    private static readonly EmailSettings Smtp = new("smtp.example.com", 587, "starttls", "ops", "hunter2-password", "ops@example.com", ["on-call@example.com"]);

    [Theory]
    [InlineData("smtp.example.com", 587, "starttls", true)]
    [InlineData("SMTP.example.com", null, null, true)] // the same server, written differently
    [InlineData("smtp.elsewhere.example", 587, "starttls", false)]
    [InlineData("smtp.example.com", 2525, "starttls", false)]
    [InlineData("smtp.example.com", 587, "none", false)] // no longer encrypted
    public void An_email_password_stays_only_for_the_same_server(string host, int? port, string? security, bool kept)
    {
        var changed = Valid(Email(Smtp with { Host = host, Port = port, Security = security, Password = null }), Email(Smtp));

        Assert.Equal(kept ? Smtp.Password : null, changed.Email!.Password);
    }

    [Theory]
    [InlineData("https://ntfy.example.com", true)]
    [InlineData("https://NTFY.example.com/", true)]
    [InlineData("https://ntfy.elsewhere.example", false)]
    [InlineData("https://ntfy.example.com/other", false)]
    public void An_ntfy_token_stays_only_for_the_same_server(string serverUrl, bool kept)
    {
        var stored = Ntfy(new NtfySettings("https://ntfy.example.com", "ops", "tk_secret"));

        var changed = Valid(Ntfy(new NtfySettings(serverUrl, "ops", null)), stored);

        Assert.Equal(kept ? "tk_secret" : null, changed.Ntfy!.Token);
    }

    [Fact]
    public void A_secret_given_again_is_taken_for_the_new_server()
    {
        var stored = Ntfy(new NtfySettings("https://ntfy.example.com", "ops", "tk_old"));

        var changed = Valid(Ntfy(new NtfySettings("https://ntfy.elsewhere.example", "ops", "tk_new")), stored);

        Assert.Equal("tk_new", changed.Ntfy!.Token);
    }

    private static ChannelDefinition Email(EmailSettings email) => new("mail", ChannelKinds.Email, null, null, null, email, null, null);

    private static ChannelDefinition Ntfy(NtfySettings ntfy) => new("phones", ChannelKinds.Ntfy, null, null, null, null, null, ntfy);

    private static ChannelDefinition Valid(ChannelDefinition definition, ChannelDefinition existing)
    {
        var errors = new FieldErrors();
        var valid = ChannelValidator.Validate(definition, existing, [], errors, out _);
        Assert.True(errors.IsEmpty, errors.ToString());
        return valid!;
    }
}
