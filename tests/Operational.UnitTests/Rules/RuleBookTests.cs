using Microsoft.Extensions.Logging.Abstractions;
using Operational.Rules.Definitions;
using Operational.Rules.Matching;

namespace Operational.UnitTests.Rules;

public sealed class RuleBookTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    /// <summary>A load that read the store before a rule was saved must not be trusted for RefreshInterval after it.</summary>
    [Fact]
    public async Task A_rule_saved_while_the_book_was_loading_is_in_the_next_read()
    {
        await using var bed = await RuleTestBed.StartAsync(T0);
        var store = new PausingStore(bed.Store);
        var book = new RuleBook(store, bed.Clock, NullLogger<RuleBook>.Instance);

        var loading = book.CurrentAsync(CancellationToken.None).AsTask();
        await store.Reading.Task; // the load has read the version and is about to read the rules
        var rule = new Rule("r-new", RuleTestBed.Project,
            RuleTestBed.Definition("""{"name":"errors","kind":"match","match":{"name":{"equals":"boom"}}}"""), T0, T0);
        await bed.Store.SaveRuleAsync(rule, CancellationToken.None);
        book.Invalidate();
        store.Continue.SetResult();
        await loading;

        Assert.NotNull((await book.CurrentAsync(CancellationToken.None)).Find("r-new")); // the clock has not moved: no refresh by time
    }

    /// <summary>Reads the rules of the real store, after pausing once between reading the version and reading the rules.</summary>
    private sealed class PausingStore(IRuleStore inner) : IRuleStore
    {
        private int _paused;

        public TaskCompletionSource Reading { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Continue { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task<IReadOnlyList<Rule>> AllRulesAsync(CancellationToken cancellationToken)
        {
            var rules = await inner.AllRulesAsync(cancellationToken);
            if (Interlocked.Exchange(ref _paused, 1) == 0)
            {
                Reading.SetResult();
                await Continue.Task;
            }

            return rules;
        }

        public Task<Rule?> GetRuleAsync(string projectId, string ruleId, CancellationToken cancellationToken) => inner.GetRuleAsync(projectId, ruleId, cancellationToken);

        public Task<IReadOnlyList<Rule>> ListRulesAsync(string projectId, CancellationToken cancellationToken) => inner.ListRulesAsync(projectId, cancellationToken);

        public Task SaveRuleAsync(Rule rule, CancellationToken cancellationToken) => inner.SaveRuleAsync(rule, cancellationToken);

        public Task<bool> DeleteRuleAsync(string projectId, string ruleId, CancellationToken cancellationToken) => inner.DeleteRuleAsync(projectId, ruleId, cancellationToken);

        public Task<long> RulesVersionAsync(CancellationToken cancellationToken) => inner.RulesVersionAsync(cancellationToken);
    }
}
