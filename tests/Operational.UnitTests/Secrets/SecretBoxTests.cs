using System.Security.Cryptography;
using Operational.ServiceDefaults.Secrets;

namespace Operational.UnitTests.Secrets;

public sealed class SecretBoxTests
{
    [Fact]
    public void A_sealed_secret_opens_only_for_its_purpose_and_only_untampered()
    {
        var box = new SecretBox(SecretBox.NewKey());

        var sealedText = box.Seal("tk_abc", "channel:p1/ch1/ntfy.token");

        Assert.StartsWith(SecretBox.TextPrefix, sealedText, StringComparison.Ordinal);
        Assert.DoesNotContain("tk_abc", sealedText, StringComparison.Ordinal);
        Assert.NotEqual(sealedText, box.Seal("tk_abc", "channel:p1/ch1/ntfy.token")); // a fresh nonce each time
        Assert.Equal("tk_abc", box.Open(sealedText, "channel:p1/ch1/ntfy.token"));
        Assert.ThrowsAny<CryptographicException>(() => box.Open(sealedText, "channel:p1/ch2/ntfy.token")); // moved to another channel
        var tampered = sealedText[..^2] + (sealedText[^2] == 'A' ? 'B' : 'A') + sealedText[^1];
        Assert.ThrowsAny<CryptographicException>(() => box.Open(tampered, "channel:p1/ch1/ntfy.token"));
    }

    [Fact]
    public void Bytes_seal_the_same_way_and_plaintext_from_before_passes_through()
    {
        var box = new SecretBox(SecretBox.NewKey());

        var sealedBytes = box.Seal([1, 2, 3], "vapid-private-key");

        Assert.Equal([1, 2, 3], box.Open(sealedBytes, "vapid-private-key"));
        Assert.True(box.IsCurrent(sealedBytes));
        Assert.Equal([9, 9], box.Open([9, 9], "vapid-private-key"));
        Assert.False(box.IsCurrent([9, 9]));
        Assert.Equal("plain", box.Open("plain", "anything"));
        Assert.False(box.IsCurrent("plain"));
    }

    [Fact]
    public void A_previous_key_opens_what_it_sealed_and_only_the_current_one_counts_as_current()
    {
        var oldKey = SecretBox.NewKey();
        var sealedText = new SecretBox(oldKey).Seal("s", "p");
        var rotated = new SecretBox(SecretBox.NewKey(), [oldKey]);

        Assert.Equal("s", rotated.Open(sealedText, "p"));
        Assert.False(rotated.IsCurrent(sealedText));
        Assert.True(rotated.IsCurrent(rotated.Seal("s", "p")));
        var error = Assert.ThrowsAny<CryptographicException>(() => new SecretBox(SecretBox.NewKey()).Open(sealedText, "p"));
        Assert.Contains("Secrets:PreviousKeys", error.Message, StringComparison.Ordinal);
    }
}
