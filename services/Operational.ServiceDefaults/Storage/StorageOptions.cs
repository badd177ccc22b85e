using Microsoft.Extensions.Options;
using MongoDB.Driver;

namespace Operational.ServiceDefaults.Storage;

public enum StorageProvider
{
    /// <summary>One SQLite file per service under <see cref="SqliteStorageOptions.DataDirectory"/>.</summary>
    Sqlite,

    /// <summary>One MongoDB database per service, named <c>{DatabasePrefix}{service}</c>.</summary>
    MongoDb,
}

/// <summary>Configuration section <c>Storage</c>; every service picks its own files or database from it.</summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    public StorageProvider Provider { get; set; } = StorageProvider.Sqlite;

    public SqliteStorageOptions Sqlite { get; set; } = new();

    public MongoDbStorageOptions MongoDb { get; set; } = new();
}

public sealed class SqliteStorageOptions
{
    /// <summary>Relative paths are resolved against the working directory.</summary>
    public string DataDirectory { get; set; } = "data";
}

public sealed class MongoDbStorageOptions
{
    public string? ConnectionString { get; set; }

    public string DatabasePrefix { get; set; } = "operational_";
}

internal sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        var failures = new List<string>();
        switch (options.Provider)
        {
            case StorageProvider.Sqlite:
                if (string.IsNullOrWhiteSpace(options.Sqlite.DataDirectory))
                {
                    failures.Add("Storage:Sqlite:DataDirectory must name a folder, e.g. 'data'.");
                }

                break;
            case StorageProvider.MongoDb:
                if (string.IsNullOrWhiteSpace(options.MongoDb.ConnectionString))
                {
                    failures.Add("Storage:MongoDb:ConnectionString is required when Storage:Provider is MongoDb, e.g. mongodb://localhost:27017.");
                }
                else
                {
                    try
                    {
                        _ = MongoUrl.Create(options.MongoDb.ConnectionString);
                    }
                    catch (Exception e) when (e is MongoConfigurationException or ArgumentException or FormatException)
                    {
                        failures.Add($"Storage:MongoDb:ConnectionString is not a MongoDB connection string: {e.Message}");
                    }
                }

                if (string.IsNullOrWhiteSpace(options.MongoDb.DatabasePrefix) || options.MongoDb.DatabasePrefix.IndexOfAny(['/', '\\', '.', ' ', '"', '$']) >= 0)
                {
                    failures.Add("Storage:MongoDb:DatabasePrefix must be non-empty and must not contain / \\ . \" $ or spaces.");
                }

                break;
            default:
                failures.Add($"Storage:Provider must be Sqlite or MongoDb, not '{options.Provider}'.");
                break;
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
