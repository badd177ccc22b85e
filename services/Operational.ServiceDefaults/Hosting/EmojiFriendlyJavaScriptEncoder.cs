using System.Text;
using System.Text.Encodings.Web;

namespace Operational.ServiceDefaults.Hosting;

/// <summary>
/// <see cref="JavaScriptEncoder.UnsafeRelaxedJsonEscaping"/>, except that characters outside the
/// Basic Multilingual Plane — emoji, the avatars of every event — are written as themselves
/// instead of as <c>\uD83C\uDF89</c> surrogate escapes. Both are valid JSON; people read the
/// answers in terminals. Everything the relaxed encoder escapes below U+FFFF is still escaped.
/// </summary>
internal sealed class EmojiFriendlyJavaScriptEncoder : JavaScriptEncoder
{
    public static readonly EmojiFriendlyJavaScriptEncoder Instance = new();

    private static readonly JavaScriptEncoder Inner = UnsafeRelaxedJsonEscaping;

    public override int MaxOutputCharactersPerInputCharacter => Inner.MaxOutputCharactersPerInputCharacter;

    public override bool WillEncode(int unicodeScalar) => unicodeScalar <= 0xFFFF && Inner.WillEncode(unicodeScalar);

    public override unsafe int FindFirstCharacterToEncode(char* text, int textLength)
    {
        var span = new ReadOnlySpan<char>(text, textLength);
        var index = 0;
        while (index < span.Length)
        {
            if (Rune.DecodeFromUtf16(span[index..], out var rune, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                return index; // a lone surrogate: let the encoder deal with it
            }

            if (WillEncode(rune.Value))
            {
                return index;
            }

            index += consumed;
        }

        return -1;
    }

    public override int FindFirstCharacterToEncodeUtf8(ReadOnlySpan<byte> utf8Text)
    {
        var index = 0;
        while (index < utf8Text.Length)
        {
            if (Rune.DecodeFromUtf8(utf8Text[index..], out var rune, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                return index;
            }

            if (WillEncode(rune.Value))
            {
                return index;
            }

            index += consumed;
        }

        return -1;
    }

    public override unsafe bool TryEncodeUnicodeScalar(int unicodeScalar, char* buffer, int bufferLength, out int numberOfCharactersWritten) =>
        Inner.TryEncodeUnicodeScalar(unicodeScalar, buffer, bufferLength, out numberOfCharactersWritten);
}
