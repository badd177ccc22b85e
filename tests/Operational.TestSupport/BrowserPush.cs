using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Operational.TestSupport;

/// <summary>What a browser does with a push message; also the local push-service stub's check.</summary>
public static class BrowserPush
{
    /// <summary>
    /// A browser's side, written from RFC 8291 §3.4 and RFC 8188 §2 with primitives only (not from
    /// the sender's code): read the header, agree on the secret, derive, open the record.
    /// </summary>
    public static byte[] Decrypt(byte[] body, byte[] uaPrivate, byte[] uaPublic, byte[] auth)
    {
        var salt = body[..16];
        var recordSize = BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(16, 4));
        var idLength = body[20];
        var asPublic = body[21..(21 + idLength)];
        var record = body[(21 + idLength)..];
        if (record.Length > recordSize)
        {
            throw new CryptographicException("The record is longer than the header says.");
        }

        using var ua = ECDiffieHellman.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            D = uaPrivate,
            Q = new ECPoint { X = uaPublic[1..33], Y = uaPublic[33..] },
        });
        using var sender = ECDiffieHellman.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = asPublic[1..33], Y = asPublic[33..] } });
        var shared = ua.DeriveRawSecretAgreement(sender.PublicKey);

        var prkKey = HMACSHA256.HashData(auth, shared);
        byte[] keyInfo = [.. "WebPush: info\0"u8, .. uaPublic, .. asPublic, 0x01];
        var ikm = HMACSHA256.HashData(prkKey, keyInfo);
        var prk = HMACSHA256.HashData(salt, ikm);
        byte[] cekInfo = [.. "Content-Encoding: aes128gcm\0"u8, 0x01];
        byte[] nonceInfo = [.. "Content-Encoding: nonce\0"u8, 0x01];
        var cek = HMACSHA256.HashData(prk, cekInfo)[..16];
        var nonce = HMACSHA256.HashData(prk, nonceInfo)[..12];

        var padded = new byte[record.Length - 16];
        using var aes = new AesGcm(cek, 16);
        aes.Decrypt(nonce, record[..^16], record[^16..], padded);
        var delimiter = Array.FindLastIndex(padded, b => b != 0);
        if (padded[delimiter] != 0x02)
        {
            throw new CryptographicException("Not the last record."); // only single-record messages are sent
        }
        return padded[..delimiter];
    }
}
