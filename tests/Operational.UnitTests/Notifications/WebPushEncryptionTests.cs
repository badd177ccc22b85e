using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Operational.Notifications.Push;
using Operational.TestSupport;

namespace Operational.UnitTests.Notifications;

public sealed class WebPushEncryptionTests
{
    // RFC 8291, Appendix A.
    private const string Plaintext = "When I grow up, I want to be a watermelon";
    private const string AsPrivate = "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw";
    private const string AsPublic = "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8";
    private const string UaPrivate = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94";
    private const string UaPublic = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
    private const string Salt = "DGv6ra1nlYgDCS1FRnbzlw";
    private const string Auth = "BTBZMqHH6r4Tts7J_aSIgg";
    private const string Body =
        "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN";

    [Fact]
    public void Rfc_8291_appendix_A_is_reproduced_byte_for_byte()
    {
        using var applicationServer = PrivateKey(AsPrivate, AsPublic);

        var body = WebPushEncryption.Encrypt(Encoding.UTF8.GetBytes(Plaintext), B(UaPublic), B(Auth), B(Salt), applicationServer);

        Assert.Equal(Body, Base64Url.EncodeToString(body));
    }

    [Fact]
    public void Independent_decryption_reads_the_rfc_body_and_ours()
    {
        Assert.Equal(Plaintext, Encoding.UTF8.GetString(BrowserPush.Decrypt(B(Body), B(UaPrivate), B(UaPublic), B(Auth))));

        using var browser = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var auth = RandomNumberGenerator.GetBytes(16);
        var message = """{"title":"payment failed","body":"€42 — card declined 🙁","url":"/events/0196"}""";
        var body = WebPushEncryption.Encrypt(Encoding.UTF8.GetBytes(message), WebPushEncryption.PublicKey(browser), auth);

        var parameters = browser.ExportParameters(true);
        Assert.Equal(message, Encoding.UTF8.GetString(BrowserPush.Decrypt(body, parameters.D!, WebPushEncryption.PublicKey(browser), auth)));
        Assert.NotEqual(body, WebPushEncryption.Encrypt(Encoding.UTF8.GetBytes(message), WebPushEncryption.PublicKey(browser), auth)); // fresh salt and key
    }

    [Fact]
    public void Tampered_body_does_not_decrypt()
    {
        var body = B(Body);
        body[^5] ^= 1;

        Assert.ThrowsAny<CryptographicException>(() => BrowserPush.Decrypt(body, B(UaPrivate), B(UaPublic), B(Auth)));
    }

    [Fact]
    public void Too_long_message_and_bad_keys_are_refused()
    {
        using var browser = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var key = WebPushEncryption.PublicKey(browser);

        Assert.Throws<ArgumentException>(() => WebPushEncryption.Encrypt(new byte[WebPushEncryption.MaxPlaintextLength + 1], key, new byte[16]));
        Assert.Throws<ArgumentException>(() => WebPushEncryption.Encrypt([1, 2, 3], key[..33], new byte[16]));
        Assert.Throws<ArgumentException>(() => WebPushEncryption.Encrypt([1, 2, 3], key, new byte[8]));
    }

    [Fact]
    public void Vapid_token_is_an_es256_jwt_for_the_push_service_origin_verifiable_with_the_sent_key()
    {
        using var vapid = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var now = new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

        var header = VapidToken.AuthorizationHeader(new Uri("https://fcm.googleapis.com/fcm/send/abc:def"), "mailto:ops@example.com", vapid, now);

        // RFC 8292 §3: "vapid t=<JWT>, k=<public key>".
        var parts = header["vapid ".Length..].Split(", ");
        var token = parts.Single(p => p.StartsWith("t=", StringComparison.Ordinal))[2..];
        var key = B(parts.Single(p => p.StartsWith("k=", StringComparison.Ordinal))[2..]);
        var segments = token.Split('.');
        Assert.Equal(3, segments.Length);
        using var jwtHeader = JsonDocument.Parse(B(segments[0]));
        Assert.Equal("ES256", jwtHeader.RootElement.GetProperty("alg").GetString());
        using var claims = JsonDocument.Parse(B(segments[1]));
        Assert.Equal("https://fcm.googleapis.com", claims.RootElement.GetProperty("aud").GetString());
        Assert.Equal("mailto:ops@example.com", claims.RootElement.GetProperty("sub").GetString());
        var exp = DateTimeOffset.FromUnixTimeSeconds(claims.RootElement.GetProperty("exp").GetInt64());
        Assert.InRange(exp, now.AddMinutes(1), now.AddHours(24));

        using var verifier = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = key[1..33], Y = key[33..] } });
        var signature = B(segments[2]);
        Assert.Equal(64, signature.Length);
        Assert.True(verifier.VerifyData(Encoding.ASCII.GetBytes(segments[0] + "." + segments[1]), signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
    }

    private static ECDiffieHellman PrivateKey(string d, string q)
    {
        var point = B(q);
        return ECDiffieHellman.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, D = B(d), Q = new ECPoint { X = point[1..33], Y = point[33..] } });
    }

    private static byte[] B(string base64Url) => Base64Url.DecodeFromChars(base64Url);
}
