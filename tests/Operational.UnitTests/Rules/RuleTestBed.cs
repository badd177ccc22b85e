using System.Text.Json;
using Hangfire;
using Hangfire.InMemory;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Operational.Contracts.Alerts;
using Operational.Contracts.Events;
using Operational.Rules;
using Operational.Rules.Alerts;
using Operational.Rules.Checks;
using Operational.Rules.Definitions;
using Operational.Rules.Evaluation;
using Operational.Rules.Matching;
using Operational.Rules.Storage.Sqlite;
using Operational.ServiceDefaults.Bus;
using Operational.ServiceDefaults.Storage;
using Operational.TestSupport;
using Operational.ServiceDefaults.Validation;

namespace Operational.UnitTests.Rules;

/// <summary>The rules service's evaluation and checks over a real SQLite store, on a clock the test moves.</summary>
public sealed class RuleTestBed : IAsyncDisposable
{
    public const string Project = "p1";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly TempDirectory _data = new("operational-rules");
    private int _events;

    private RuleTestBed(DateTimeOffset start)
    {
        Clock = new FakeTimeProvider(start);
        Store = new SqliteRulesStore(new SqliteDatabase(Path.Combine(_data.Path, "rules.db")));
        Book = new RuleBook(Store, Clock, NullLogger<RuleBook>.Instance);
        _keeper = new AlertKeeper(Store, Store, Store);
        Runs = new RunOutcomes(Store, Store, _keeper, Book);
        Checks = new RuleChecks(Store, Store, Store, _keeper, Store);
        Evaluator = new RuleEvaluator(Book, Store, Store, Store, _keeper, Runs, Checks);
        Jobs = new InMemoryStorage();
        Schedules = new RuleSchedules(new RecurringJobManager(Jobs), Jobs);
        Rules = Service(Book);
    }

    private readonly AlertKeeper _keeper;

    public AlertKeeper Keeper => _keeper;

    /// <summary>The rule checks in <see cref="Jobs"/>.</summary>
    public RuleSchedules Schedules { get; }

    /// <summary>Another replica of the rules service: the same store and Hangfire storage, a rule book of its own.</summary>
    public RuleService Replica() => Service(new RuleBook(Store, Clock, NullLogger<RuleBook>.Instance));

    public static RuleDefinition Definition(string json) => JsonSerializer.Deserialize<RuleDefinition>(json, Json)!;

    private RuleService Service(RuleBook book) =>
        new(Store, book, Schedules, _keeper, new AlertsQueued(), Store, new NoChannels(),
            new ProjectRouting(null!, Options.Create(new BusOptions()), NullLogger<ProjectRouting>.Instance), // in-memory bus: nothing to bind
            Options.Create(new RulesOptions()), Clock, NullLogger<RuleService>.Instance);

    public RunOutcomes Runs { get; }

    /// <summary>Creates, changes and deletes rules with every side effect, as the API does.</summary>
    public RuleService Rules { get; }

    /// <summary>Hangfire's recurring jobs, in memory.</summary>
    public InMemoryStorage Jobs { get; }

    public FakeTimeProvider Clock { get; }

    public SqliteRulesStore Store { get; }

    public RuleBook Book { get; }

    public RuleEvaluator Evaluator { get; }

    public RuleChecks Checks { get; }

    public DateTimeOffset Now => Clock.GetUtcNow();

    public static async Task<RuleTestBed> StartAsync(DateTimeOffset start)
    {
        var bed = new RuleTestBed(start);
        await bed.Store.InitializeAsync(CancellationToken.None);
        return bed;
    }

    /// <summary>Saves a rule written as the API takes it; it must be valid.</summary>
    public async Task<CompiledRule> AddRuleAsync(string json)
    {
        var rule = new Rule("r" + Guid.NewGuid().ToString("N")[..8], Project, JsonSerializer.Deserialize<RuleDefinition>(json, Json)!, Now, Now);
        var errors = new FieldErrors();
        var compiled = RuleValidator.Compile(rule, errors) ?? throw new InvalidOperationException(errors.ToString());
        await Store.SaveRuleAsync(rule, CancellationToken.None);
        Book.Invalidate();
        return compiled;
    }

    /// <summary>An event happening now, shaped by <paramref name="shape"/>.</summary>
    public IngestedEvent Event(string name, Func<IngestedEvent, IngestedEvent>? shape = null)
    {
        var e = new IngestedEvent($"e{++_events}", Project, name, null, null, null, Now, Now);
        return shape is null ? e : shape(e);
    }

    public IngestedEvent Tagged(string name, string key, string value) =>
        Event(name, e => e with { Tags = new Dictionary<string, JsonElement> { [key] = JsonSerializer.SerializeToElement(value) } });

    public Task SendAsync(params IngestedEvent[] events) => Evaluator.EvaluateAsync(events, Now, CancellationToken.None);

    public Task CheckAsync(CompiledRule rule) => Checks.CheckAsync(rule, Now, CancellationToken.None);

    public async Task<IReadOnlyList<AlertRecord>> AlertsAsync(string? status = null) =>
        (await Store.ListAlertsAsync(Project, status, null, 200, null, CancellationToken.None)).Alerts;

    /// <summary>The messages queued for the bus, in order, and removes them (as the publisher does).</summary>
    public async Task<IReadOnlyList<object>> DrainMessagesAsync()
    {
        var pending = await Store.PendingMessagesAsync(1000, CancellationToken.None);
        await Store.RemoveMessagesAsync(pending.Select(m => m.Id).ToList(), CancellationToken.None);
        return pending.Select(m => m.Message).ToList();
    }

    public static string? Group(object message) => message switch
    {
        AlertTriggered t => t.Alert.Group,
        AlertRepeated r => r.Alert.Group,
        AlertResolved r => r.Alert.Group,
        _ => null,
    };

    public ValueTask DisposeAsync()
    {
        Jobs.Dispose();
        _data.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>The test rules name no channels.</summary>
    private sealed class NoChannels : IChannelDirectory
    {
        public Task<IReadOnlyList<string>> UnknownAsync(string projectId, IReadOnlyList<string> channelIds, string? forwardedIdentity, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<string>>(channelIds);
    }
}
