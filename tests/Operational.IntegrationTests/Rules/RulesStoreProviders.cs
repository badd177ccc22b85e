using Operational.Rules.Storage;
using Operational.Rules.Storage.MongoDb;
using Operational.Rules.Storage.Sqlite;

namespace Operational.IntegrationTests.Rules;

public sealed class SqliteRulesStoreTests : RulesStoreContract
{
    protected override IRulesStore CreateStore() => new SqliteRulesStore(Databases.Sqlite("rules"));
}

public sealed class MongoRulesStoreTests : RulesStoreContract
{
    protected override IRulesStore CreateStore() => new MongoRulesStore(Databases.Mongo);
}
