using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Operational.ServiceDefaults.Secrets;

/// <summary>
/// Encrypts the secrets a service stores (channel tokens and passwords, signing keys) with a key
/// the installation owns, so a copy of a database file or a backup does not give them away:
/// AES-256-GCM, a fresh nonce each time, the secret's purpose as associated data (a sealed value
/// cannot be moved to another field), and the key's id in front (rotation: old keys still open
/// what they sealed until everything is sealed again with the current one).
/// A sealed text reads <c>enc1:</c> followed by base64url of id (4 bytes) · nonce (12) · ciphertext · tag (16).
/// </summary>
public sealed class SecretBox
{
    public const string TextPrefix = "enc1:";
    private static readonly byte[] BytesPrefix = "OPS1"u8.ToArray();
    private const int IdSize = 4;
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly Key _current;
    private readonly IReadOnlyDictionary<uint, Key> _all;

    public SecretBox(byte[] currentKey, IEnumerable<byte[]>? previousKeys = null)
    {
        _current = new Key(currentKey);
        _all = new[] { _current }.Concat((previousKeys ?? []).Select(k => new Key(k))).DistinctBy(k => k.Id).ToDictionary(k => k.Id);
    }

    public string Seal(string plaintext, string purpose) =>
        TextPrefix + Base64Url.EncodeToString(SealBytes(Encoding.UTF8.GetBytes(plaintext), purpose));

    /// <summary>The secret; a value stored before secrets were sealed is returned as it is.</summary>
    public string Open(string stored, string purpose) =>
        stored.StartsWith(TextPrefix, StringComparison.Ordinal)
            ? Encoding.UTF8.GetString(OpenBytes(Base64Url.DecodeFromChars(stored.AsSpan(TextPrefix.Length)), purpose))
            : stored;

    public byte[] Seal(byte[] plaintext, string purpose) => [.. BytesPrefix, .. SealBytes(plaintext, purpose)];

    /// <summary>The secret; bytes stored before secrets were sealed are returned as they are.</summary>
    public byte[] Open(byte[] stored, string purpose) =>
        stored.AsSpan().StartsWith(BytesPrefix) ? OpenBytes(stored[BytesPrefix.Length..], purpose) : stored;

    /// <summary>Whether a stored value is sealed with the current key (else it should be sealed again).</summary>
    public bool IsCurrent(string stored) =>
        stored.StartsWith(TextPrefix, StringComparison.Ordinal) && IdOf(Base64Url.DecodeFromChars(stored.AsSpan(TextPrefix.Length))) == _current.Id;

    public bool IsCurrent(byte[] stored) =>
        stored.AsSpan().StartsWith(BytesPrefix) && IdOf(stored[BytesPrefix.Length..]) == _current.Id;

    /// <summary>
    /// A key for <paramref name="purpose"/> alone (e.g. signing links), derived from the current key
    /// with HKDF-SHA256: it reveals nothing about the key that seals secrets, nor about other purposes'.
    /// </summary>
    public byte[] DeriveKey(string purpose) => HKDF.DeriveKey(HashAlgorithmName.SHA256, _current.Bytes, 32, info: Encoding.UTF8.GetBytes(purpose));

    /// <summary>A new random key, for a key file or for <c>Secrets:Key</c>.</summary>
    public static byte[] NewKey() => RandomNumberGenerator.GetBytes(32);

    private byte[] SealBytes(byte[] plaintext, string purpose)
    {
        var sealedBytes = new byte[IdSize + NonceSize + plaintext.Length + TagSize];
        BitConverter.TryWriteBytes(sealedBytes.AsSpan(0, IdSize), _current.Id);
        var nonce = sealedBytes.AsSpan(IdSize, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_current.Bytes, TagSize);
        aes.Encrypt(nonce, plaintext, sealedBytes.AsSpan(IdSize + NonceSize, plaintext.Length), sealedBytes.AsSpan(IdSize + NonceSize + plaintext.Length), Encoding.UTF8.GetBytes(purpose));
        return sealedBytes;
    }

    private byte[] OpenBytes(byte[] sealedBytes, string purpose)
    {
        if (sealedBytes.Length < IdSize + NonceSize + TagSize)
        {
            throw new CryptographicException("A sealed secret is too short.");
        }

        if (!_all.TryGetValue(IdOf(sealedBytes), out var key))
        {
            throw new CryptographicException("A stored secret was sealed with a key this service does not have: add it to Secrets:PreviousKeys.");
        }

        var length = sealedBytes.Length - IdSize - NonceSize - TagSize;
        var plaintext = new byte[length];
        using var aes = new AesGcm(key.Bytes, TagSize);
        aes.Decrypt(sealedBytes.AsSpan(IdSize, NonceSize), sealedBytes.AsSpan(IdSize + NonceSize, length), sealedBytes.AsSpan(IdSize + NonceSize + length), plaintext,
            Encoding.UTF8.GetBytes(purpose));
        return plaintext;
    }

    private static uint IdOf(ReadOnlySpan<byte> sealedBytes) => sealedBytes.Length < IdSize ? 0 : BitConverter.ToUInt32(sealedBytes[..IdSize]);

    private sealed class Key
    {
        public Key(byte[] bytes)
        {
            if (bytes.Length != 32)
            {
                throw new ArgumentException("A secrets key is 32 bytes (256 bits).", nameof(bytes));
            }

            Bytes = bytes;
            // Names the key without revealing it: the first bytes of its SHA-256.
            Id = BitConverter.ToUInt32(SHA256.HashData(bytes).AsSpan(0, IdSize));
        }

        public byte[] Bytes { get; }

        public uint Id { get; }
    }
}
