using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Operational.Notifications.Push;

/// <summary>
/// Message encryption for Web Push (RFC 8291) in the aes128gcm content coding (RFC 8188), with
/// System.Security.Cryptography only: ECDH on P-256 with a fresh key pair per message, HKDF-SHA-256
/// keyed by the subscription's auth secret, then AES-128-GCM over a single record.
/// </summary>
public static class WebPushEncryption
{
    /// <summary>The record size announced in the header; one record carries the whole message.</summary>
    public const int RecordSize = 4096;

    /// <summary>
    /// The largest plaintext one record holds: the record size less the padding delimiter and the
    /// 16-byte tag, and push services accept 4096-byte bodies including the 86-byte header.
    /// </summary>
    public const int MaxPlaintextLength = RecordSize - 86 - 16 - 1;

    private const int KeyLength = 65; // uncompressed P-256 point
    private const int SaltLength = 16;

    private static readonly byte[] KeyInfoLabel = "WebPush: info\0"u8.ToArray();
    private static readonly byte[] CekInfo = "Content-Encoding: aes128gcm\0"u8.ToArray();
    private static readonly byte[] NonceInfo = "Content-Encoding: nonce\0"u8.ToArray();

    /// <summary>Encrypts <paramref name="plaintext"/> for a subscription, with a fresh salt and key pair.</summary>
    /// <param name="userAgentPublicKey">The subscription's <c>p256dh</c>: an uncompressed P-256 point (65 bytes).</param>
    /// <param name="authSecret">The subscription's <c>auth</c> (16 bytes).</param>
    public static byte[] Encrypt(ReadOnlySpan<byte> plaintext, byte[] userAgentPublicKey, byte[] authSecret)
    {
        using var ephemeral = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        return Encrypt(plaintext, userAgentPublicKey, authSecret, RandomNumberGenerator.GetBytes(SaltLength), ephemeral);
    }

    /// <summary>
    /// Encrypts with a given salt and application-server key pair. Only tests choose these (to
    /// reproduce RFC 8291 Appendix A); reusing either for real messages breaks the scheme.
    /// </summary>
    public static byte[] Encrypt(ReadOnlySpan<byte> plaintext, byte[] userAgentPublicKey, byte[] authSecret, byte[] salt, ECDiffieHellman applicationServerKey)
    {
        if (userAgentPublicKey.Length != KeyLength || userAgentPublicKey[0] != 0x04)
        {
            throw new ArgumentException("The subscription's p256dh must be an uncompressed P-256 point (65 bytes starting 0x04).", nameof(userAgentPublicKey));
        }

        if (authSecret.Length < 16)
        {
            throw new ArgumentException("The subscription's auth secret must be at least 16 bytes.", nameof(authSecret));
        }

        if (salt.Length != SaltLength)
        {
            throw new ArgumentException("The salt must be 16 bytes.", nameof(salt));
        }

        if (plaintext.Length > MaxPlaintextLength)
        {
            throw new ArgumentException($"A push message holds at most {MaxPlaintextLength} bytes.", nameof(plaintext));
        }

        var asPublic = PublicKey(applicationServerKey);
        using var uaKey = ImportPublicKey(userAgentPublicKey);
        var ecdhSecret = applicationServerKey.DeriveRawSecretAgreement(uaKey.PublicKey);

        // RFC 8291 §3.4: IKM = HKDF(salt = auth_secret, IKM = ecdh_secret, info = "WebPush: info" 0x00 ua_public as_public, L = 32).
        var keyInfo = Concat(KeyInfoLabel, userAgentPublicKey, asPublic);
        var ikm = HKDF.DeriveKey(HashAlgorithmName.SHA256, ecdhSecret, 32, authSecret, keyInfo);

        // RFC 8188 §2.2 and §2.3: content-encryption key and nonce from the message salt.
        var prk = HKDF.Extract(HashAlgorithmName.SHA256, ikm, salt);
        var cek = HKDF.Expand(HashAlgorithmName.SHA256, prk, 16, CekInfo);
        var nonce = HKDF.Expand(HashAlgorithmName.SHA256, prk, 12, NonceInfo);

        // One record: the plaintext, then the delimiter 0x02 that marks the last record (no padding).
        var record = new byte[plaintext.Length + 1];
        plaintext.CopyTo(record);
        record[^1] = 0x02;

        var header = new byte[SaltLength + 4 + 1 + KeyLength];
        salt.CopyTo(header, 0);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(SaltLength), RecordSize);
        header[SaltLength + 4] = KeyLength;
        asPublic.CopyTo(header, SaltLength + 5);

        var body = new byte[header.Length + record.Length + 16];
        header.CopyTo(body, 0);
        using var aes = new AesGcm(cek, 16);
        aes.Encrypt(nonce, record, body.AsSpan(header.Length, record.Length), body.AsSpan(header.Length + record.Length, 16));
        return body;
    }

    /// <summary>The uncompressed public point (0x04 || X || Y) of a P-256 key.</summary>
    public static byte[] PublicKey(ECAlgorithm key)
    {
        var q = key.ExportParameters(false).Q;
        return [0x04, .. q.X!, .. q.Y!];
    }

    /// <summary>A P-256 key from its uncompressed public point.</summary>
    public static ECDiffieHellman ImportPublicKey(byte[] point)
    {
        if (point.Length != KeyLength || point[0] != 0x04)
        {
            throw new CryptographicException("Not an uncompressed P-256 point.");
        }

        return ECDiffieHellman.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = point[1..33], Y = point[33..65] },
        });
    }

    private static byte[] Concat(params byte[][] parts)
    {
        var all = new byte[parts.Sum(p => p.Length)];
        var offset = 0;
        foreach (var part in parts)
        {
            part.CopyTo(all, offset);
            offset += part.Length;
        }

        return all;
    }
}
