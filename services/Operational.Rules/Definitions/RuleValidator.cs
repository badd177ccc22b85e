using System.Text.Json;
using Cronos;
using Operational.Contracts.Events;
using Operational.ServiceDefaults.Matching;
using Operational.ServiceDefaults.Validation;

namespace Operational.Rules.Definitions;

/// <summary>
/// Checks a rule as written and compiles it. Every problem is reported under the path of its
/// field (<c>volume.schedule.timeZone</c>), all at once, so an operator fixes a rule in one go.
/// </summary>
public static class RuleValidator
{
    public const int MaxNameLength = 100;
    public const int MaxChannels = 20;
    public const int MaxWindowSeconds = 30 * 24 * 3600;
    public const int MinRepeatSeconds = 60;
    public const string DefaultCron = "* * * * *";
    public const int DefaultGraceSeconds = 60;
    public const int DefaultGroupLookbackSeconds = 24 * 3600;

    public static CompiledRule? Compile(Rule rule, FieldErrors errors)
    {
        var d = rule.Definition;
        var before = errors.Count;
        var name = d.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > MaxNameLength)
        {
            errors.Add("name", $"is required: 1 to {MaxNameLength} characters");
        }

        var kind = d.Kind;
        if (kind is null || !RuleKinds.All.Contains(kind))
        {
            errors.Add("kind", $"is required: one of {string.Join(", ", RuleKinds.All)}");
        }

        EventConditionRules.Check(d.Match, errors);
        CheckChannels(d.Channels, errors);
        if (d.Check is not null)
        {
            if (kind != RuleKinds.Heartbeat)
            {
                errors.Add("check", "belongs to heartbeat rules only");
            }

            JobChecks.CheckFace.Validate(d.Check, errors);
        }

        if (d.GroupWaitSeconds is < 1 or > MaxGroupWaitSeconds)
        {
            errors.Add("groupWaitSeconds", $"must be from 1 to {MaxGroupWaitSeconds} seconds");
        }

        var noise = Noise(kind, d.Trigger, d.Resolve, errors);
        var escalation = Escalation(kind, d.Escalation, errors);
        if (d.DependsOn is { } parents && (parents.Count > MaxDependencies || parents.Any(p => string.IsNullOrWhiteSpace(p) || p == rule.Id)))
        {
            errors.Add("dependsOn", $"must list at most {MaxDependencies} other rules' ids");
        }

        OnlyFor(kind, RuleKinds.Threshold, d.Threshold, "threshold", errors);
        OnlyFor(kind, RuleKinds.Volume, d.Volume, "volume", errors);
        OnlyFor(kind, RuleKinds.Heartbeat, d.Heartbeat, "heartbeat", errors);
        if (d.RepeatIntervalSeconds is { } repeat)
        {
            if (kind == RuleKinds.Match)
            {
                errors.Add("repeatIntervalSeconds", "does not apply to match rules: they fire once per event");
            }
            else if (repeat < MinRepeatSeconds || repeat > MaxWindowSeconds)
            {
                errors.Add("repeatIntervalSeconds", $"must be from {MinRepeatSeconds} to {MaxWindowSeconds} seconds");
            }
        }

        var compiled = kind switch
        {
            RuleKinds.Threshold => Threshold(d.Threshold, errors),
            RuleKinds.Volume => Volume(d.Volume, errors),
            RuleKinds.Heartbeat => Heartbeat(d.Heartbeat, errors),
            _ => new RuleSettings(),
        };
        if (errors.Count != before)
        {
            return null;
        }

        return new CompiledRule(compiled)
        {
            Rule = rule,
            Kind = kind!,
            Name = name!,
            Enabled = d.Enabled ?? true,
            Matcher = EventMatcher.Compile(d.Match),
            Channels = d.Channels ?? [],
            RepeatInterval = d.RepeatIntervalSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
            Check = d.Check,
            Noise = noise,
            Escalation = escalation,
            DependsOn = d.DependsOn ?? [],
            GroupWait = d.GroupWaitSeconds is { } groupWait ? TimeSpan.FromSeconds(groupWait) : null,
        };
    }

    public const int MaxChecksRemembered = 60;
    public const int MaxEscalationSteps = 5;
    public const int MaxDependencies = 10;
    public const int MaxGroupWaitSeconds = 3600;

    /// <summary>Trigger and resolve counts: scheduled rules only (a match rule has no checks to count).</summary>
    private static Alerts.AlertNoise? Noise(string? kind, TriggerSettings? trigger, ResolveSettings? resolve, FieldErrors errors)
    {
        if (trigger is null && resolve is null)
        {
            return null;
        }

        if (kind == RuleKinds.Match)
        {
            errors.Add(trigger is null ? "resolve" : "trigger", "does not apply to match rules: they fire once per event, with no checks to count");
            return null;
        }

        int? consecutive = null, n = null, m = null;
        if (trigger is not null)
        {
            if ((trigger.Consecutive is null) == (trigger.Of is null))
            {
                errors.Add("trigger", "needs exactly one of consecutive (N failing checks in a row) and of ({\"n\": N, \"m\": M}: N of the last M)");
            }
            else if (trigger.Consecutive is { } c)
            {
                consecutive = Count(c, "trigger.consecutive", errors);
            }
            else if (trigger.Of is { N: { } ofN, M: { } ofM } && ofN >= 1 && ofN <= ofM && ofM <= MaxChecksRemembered)
            {
                (n, m) = (ofN, ofM);
            }
            else
            {
                errors.Add("trigger.of", $"needs n and m with 1 ≤ n ≤ m ≤ {MaxChecksRemembered}");
            }
        }

        var resolveAfter = resolve?.Consecutive is { } r ? Count(r, "resolve.consecutive", errors) : 1;
        return new Alerts.AlertNoise(consecutive ?? (n is null ? 1 : null), n, m, resolveAfter);
    }

    private static int Count(int value, string field, FieldErrors errors)
    {
        if (value is < 1 or > MaxChecksRemembered)
        {
            errors.Add(field, $"must be from 1 to {MaxChecksRemembered} checks");
        }

        return value;
    }

    private static IReadOnlyList<Alerts.Escalation> Escalation(string? kind, IReadOnlyList<EscalationStep>? steps, FieldErrors errors)
    {
        if (steps is null || steps.Count == 0)
        {
            return [];
        }

        if (kind == RuleKinds.Match)
        {
            errors.Add("escalation", "does not apply to match rules: their alerts are never open");
            return [];
        }

        if (steps.Count > MaxEscalationSteps)
        {
            errors.Add("escalation", $"may have at most {MaxEscalationSteps} steps");
            return [];
        }

        var result = new List<Alerts.Escalation>();
        var previous = 0;
        for (var i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            if (step.AfterSeconds is not { } after || after < MinRepeatSeconds || after > MaxWindowSeconds || after <= previous)
            {
                errors.Add($"escalation[{i}].afterSeconds", $"is required: {MinRepeatSeconds} to {MaxWindowSeconds} seconds, later than the step before");
            }

            if (step.Channels is not { Count: > 0 and <= MaxChannels } channels || channels.Any(c => !IsChannelId(c)))
            {
                errors.Add($"escalation[{i}].channels", $"is required: 1 to {MaxChannels} channel ids");
            }

            previous = step.AfterSeconds ?? previous;
            result.Add(new Alerts.Escalation(TimeSpan.FromSeconds(step.AfterSeconds ?? 0), step.Channels ?? []));
        }

        return result;
    }

    private static void CheckChannels(IReadOnlyList<string>? channels, FieldErrors errors)
    {
        if (channels is null)
        {
            return;
        }

        if (channels.Count > MaxChannels)
        {
            errors.Add("channels", $"may name at most {MaxChannels} channels");
        }

        if (channels.Any(c => !IsChannelId(c)))
        {
            errors.Add("channels", "must be channel ids: 1 to 64 letters, digits, '-' or '_'");
        }
    }

    private static bool IsChannelId(string? c) => !string.IsNullOrEmpty(c) && c.Length <= 64 && c.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_');

    private static void OnlyFor(string? kind, string owner, object? settings, string field, FieldErrors errors)
    {
        if (kind is not null && kind != owner && settings is not null && RuleKinds.All.Contains(kind))
        {
            errors.Add(field, $"is only for rules of kind {owner}");
        }
    }

    private static RuleSettings Threshold(ThresholdSettings? settings, FieldErrors errors)
    {
        if (settings is null)
        {
            errors.Add("threshold", "is required for a threshold rule: {\"count\": N, \"windowSeconds\": W}");
            return new RuleSettings();
        }

        if (settings.Stat is not null)
        {
            // With a statistic, count is the fewest values to judge by (default 1).
            if (settings.Count is not (null or (>= 1 and <= 1_000_000)))
            {
                errors.Add("threshold.count", "is the fewest values in the window to judge the statistic by: 1 to 1000000");
            }

            if (settings.Rate is not null)
            {
                errors.Add("threshold.rate", "and threshold.stat do not go together: a rule checks a share or a statistic");
            }

            var statWindow = Window(settings.WindowSeconds, "threshold.windowSeconds", errors);
            var stat = Stat(settings.Stat, settings.Above, settings.Below, "threshold", errors);
            return new RuleSettings
            {
                Min = settings.Count ?? 1, Window = statWindow, StatField = stat.Field, StatFn = stat.Fn, Above = settings.Above, Below = settings.Below,
            };
        }

        if (settings.Above is not null || settings.Below is not null)
        {
            errors.Add(settings.Above is not null ? "threshold.above" : "threshold.below", "applies to a statistic: give threshold.stat {\"field\", \"fn\"} too");
        }

        if (settings.Count is not (>= 1 and <= 1_000_000))
        {
            errors.Add("threshold.count", settings.Rate is null
                ? "is required: a whole number from 1 to 1000000"
                : "is required: the fewest matching events in the window for their share to count (1 to 1000000)");
        }

        var window = Window(settings.WindowSeconds, "threshold.windowSeconds", errors);
        if (settings.Rate is not { } rate)
        {
            return new RuleSettings { Min = settings.Count ?? 0, Window = window };
        }

        if (rate.Percent is not (> 0 and <= 100))
        {
            errors.Add("threshold.rate.percent", "is required: more than 0, at most 100 (e.g. 5 for 5%)");
        }

        if (rate.Where is null)
        {
            errors.Add("threshold.rate.where", "is required: the conditions the share is of, e.g. {\"level\": \"error\"}");
        }

        EventConditionRules.Check(rate.Where, errors, "threshold.rate.where");
        return new RuleSettings { Min = settings.Count ?? 0, Window = window, RatePercent = rate.Percent, RateMatcher = EventMatcher.Compile(rate.Where) };
    }

    private static RuleSettings Volume(VolumeSettings? settings, FieldErrors errors)
    {
        if (settings is null)
        {
            errors.Add("volume", "is required for a volume rule: {\"min\": N, \"windowSeconds\": W}");
            return new RuleSettings();
        }

        var stat = settings.Stat is null ? null : Stat(settings.Stat, settings.Above, settings.Below, "volume", errors);
        if (settings.Stat is not null && (settings.Min is not null || settings.Max is not null))
        {
            errors.Add(settings.Min is not null ? "volume.min" : "volume.max", "counts events; a rule with volume.stat checks the statistic against above and below instead");
        }

        if (settings.Stat is null)
        {
            if (settings.Min is not (>= 0 and <= 1_000_000_000))
            {
                errors.Add("volume.min", "is required: a whole number from 0 to 1000000000");
            }

            if (settings.Max is { } max && (max < 0 || max < (settings.Min ?? 0)))
            {
                errors.Add("volume.max", "must be at least min");
            }

            if (settings.Min == 0 && settings.Max is null)
            {
                errors.Add("volume.min", "of 0 without a max can never fail: give min ≥ 1 or a max");
            }

            if (settings.Above is not null || settings.Below is not null)
            {
                errors.Add(settings.Above is not null ? "volume.above" : "volume.below", "applies to a statistic: give volume.stat {\"field\", \"fn\"} too");
            }
        }

        var window = Window(settings.WindowSeconds, "volume.windowSeconds", errors);
        var (cron, cronText, zone) = Schedule(settings.Schedule, "volume.schedule", errors);
        string? groupBy = null;
        if (settings.GroupBy is { } tag)
        {
            groupBy = tag.Trim();
            if (groupBy.Length is 0 or > 64)
            {
                errors.Add("volume.groupBy", "must be a tag key of 1 to 64 characters");
            }
        }

        var lookback = settings.GroupLookbackSeconds ?? Math.Max(DefaultGroupLookbackSeconds, (int)window.TotalSeconds);
        if (lookback < window.TotalSeconds || lookback > MaxWindowSeconds)
        {
            errors.Add("volume.groupLookbackSeconds", $"must be at least the window and at most {MaxWindowSeconds} seconds");
        }

        return new RuleSettings
        {
            Min = settings.Min ?? 0,
            Max = settings.Max,
            Window = window,
            Cron = cron,
            CronText = cronText,
            TimeZone = zone,
            GroupBy = groupBy,
            GroupLookback = TimeSpan.FromSeconds(lookback),
            StatField = stat?.Field,
            StatFn = stat?.Fn,
            Above = settings.Above,
            Below = settings.Below,
        };
    }

    /// <summary>The statistic form: a numeric tag, a function, and at least one bound.</summary>
    private static RuleStat Stat(RuleStat stat, double? above, double? below, string prefix, FieldErrors errors)
    {
        var field = stat.Field?.Trim();
        if (!TagKeys.IsValid(field))
        {
            errors.Add($"{prefix}.stat.field", $"is required: the key of a numeric tag ({TagKeys.Described})");
        }

        var fn = stat.Fn?.Trim() ?? "p95";
        if (!ServiceDefaults.Statistics.MetricAggregate.Statistics.Contains(fn))
        {
            errors.Add($"{prefix}.stat.fn", $"must be one of {string.Join(", ", ServiceDefaults.Statistics.MetricAggregate.Statistics)}");
        }

        if (above is null && below is null)
        {
            errors.Add($"{prefix}.above", $"or {prefix}.below is required: the value the statistic must not pass");
        }

        if (above is { } a && below is { } b && b >= a)
        {
            errors.Add($"{prefix}.below", "must be less than above");
        }

        foreach (var (bound, name) in new[] { (above, $"{prefix}.above"), (below, $"{prefix}.below") })
        {
            if (bound is { } value && !double.IsFinite(value))
            {
                errors.Add(name, "must be a number");
            }
        }

        return new RuleStat(field, fn);
    }

    private static RuleSettings Heartbeat(HeartbeatSettings? settings, FieldErrors errors)
    {
        if (settings is null)
        {
            errors.Add("heartbeat", "is required for a heartbeat rule: {\"periodSeconds\": P} or {\"schedule\": {\"cron\": …}}, with graceSeconds");
            return new RuleSettings();
        }

        var grace = settings.GraceSeconds ?? DefaultGraceSeconds;
        if (grace < 0 || grace > MaxWindowSeconds)
        {
            errors.Add("heartbeat.graceSeconds", $"must be from 0 to {MaxWindowSeconds} seconds");
        }

        TimeSpan? maxRun = null;
        if (settings.MaxRunSeconds is { } maxRunSeconds)
        {
            if (maxRunSeconds < 1 || maxRunSeconds > MaxWindowSeconds)
            {
                errors.Add("heartbeat.maxRunSeconds", $"must be from 1 to {MaxWindowSeconds} seconds");
            }

            maxRun = TimeSpan.FromSeconds(maxRunSeconds);
        }

        if ((settings.PeriodSeconds is null) == (settings.Schedule is null))
        {
            errors.Add("heartbeat", "needs exactly one of periodSeconds and schedule");
            return new RuleSettings();
        }

        if (settings.PeriodSeconds is { } period)
        {
            if (period < 10 || period > MaxWindowSeconds)
            {
                errors.Add("heartbeat.periodSeconds", $"must be from 10 to {MaxWindowSeconds} seconds");
            }

            return new RuleSettings { Period = TimeSpan.FromSeconds(period), Grace = TimeSpan.FromSeconds(grace), MaxRun = maxRun };
        }

        var (cron, cronText, zone) = Schedule(settings.Schedule, "heartbeat.schedule", errors);
        return new RuleSettings { Cron = cron, CronText = cronText, TimeZone = zone, Grace = TimeSpan.FromSeconds(grace), MaxRun = maxRun };
    }

    private static TimeSpan Window(int? seconds, string field, FieldErrors errors)
    {
        if (seconds is not (>= 1 and <= MaxWindowSeconds))
        {
            errors.Add(field, $"is required: a whole number of seconds from 1 to {MaxWindowSeconds} (30 days)");
            return TimeSpan.FromSeconds(1);
        }

        return TimeSpan.FromSeconds(seconds.Value);
    }

    /// <summary>The schedule's cron (five fields, or six with seconds) and IANA time zone; every minute in UTC when absent.</summary>
    public static (CronExpression? Cron, string? Text, TimeZoneInfo Zone) Schedule(RuleSchedule? schedule, string field, FieldErrors errors)
    {
        var text = string.IsNullOrWhiteSpace(schedule?.Cron) ? DefaultCron : schedule.Cron.Trim();
        CronExpression? cron = null;
        try
        {
            var fields = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
            cron = CronExpression.Parse(text, fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
        }
        catch (CronFormatException e)
        {
            errors.Add($"{field}.cron", $"is not a valid cron expression ({e.Message}); use five fields (minute hour day month weekday) or six with seconds first");
        }

        var zone = TimeZoneInfo.Utc;
        if (!string.IsNullOrWhiteSpace(schedule?.TimeZone))
        {
            try
            {
                zone = TimeZoneInfo.FindSystemTimeZoneById(schedule.TimeZone.Trim());
            }
            catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
            {
                errors.Add($"{field}.timeZone", $"'{schedule.TimeZone}' is not a known time zone; use an IANA id such as Europe/Berlin");
            }
        }

        return (cron, text, zone);
    }
}
