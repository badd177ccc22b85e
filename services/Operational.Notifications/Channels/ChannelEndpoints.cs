using Operational.Notifications.Deliveries;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Operational.Contracts.Api;
using Operational.ServiceDefaults.Identity;
using Operational.ServiceDefaults.Problems;
using Operational.ServiceDefaults.Time;
using Operational.ServiceDefaults.Requests;
using Operational.ServiceDefaults.Validation;

namespace Operational.Notifications.Channels;

/// <summary><c>/v1/channels</c>: where the project's notifications go. Reading needs <c>read</c>, changing needs <c>admin</c>.</summary>
public static class ChannelEndpoints
{
    /// <summary>A channel with 20 recipients and long URLs fits in a few KiB.</summary>
    public const int MaxBodyBytes = 16 * 1024;

    public static IEndpointRouteBuilder MapChannels(this IEndpointRouteBuilder endpoints)
    {
        var channels = endpoints.MapGroup("/v1/channels").WithTags("Channels");
        channels.MapGet("", ListAsync).RequireAuthorization(Policies.Read).WithName("ListChannels");
        channels.MapGet("/{channelId}", GetAsync).RequireAuthorization(Policies.Read).WithName("GetChannel");
        channels.MapPost("", CreateAsync).RequireAuthorization(Policies.Admin).WithName("CreateChannel").WithJsonBodyLimit(MaxBodyBytes);
        channels.MapPut("/{channelId}", UpdateAsync).RequireAuthorization(Policies.Admin).WithName("UpdateChannel").WithJsonBodyLimit(MaxBodyBytes);
        channels.MapDelete("/{channelId}", DeleteAsync).RequireAuthorization(Policies.Admin).WithName("DeleteChannel");
        channels.MapPost("/template-preview", PreviewAsync).RequireAuthorization(Policies.Admin).WithName("PreviewChannelTemplate").WithJsonBodyLimit(MaxBodyBytes);
        return endpoints;
    }

    private static async Task<Ok<ChannelListResponse>> ListAsync(HttpContext http, IChannelStore store, CancellationToken ct) =>
        TypedResults.Ok(new ChannelListResponse((await store.ListAsync(http.User.GetProjectId(), ct)).Select(c => Answer(c)).ToList()));

    private static async Task<Results<Ok<ChannelResponse>, ProblemHttpResult>> GetAsync(HttpContext http, string channelId, IChannelStore store, CancellationToken ct) =>
        await store.GetAsync(http.User.GetProjectId(), channelId, ct) is { } channel ? TypedResults.Ok(Answer(channel)) : NotFound(channelId);

    private static async Task<Results<Created<ChannelResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        HttpContext http, JsonBody<ChannelDefinition> body, IChannelStore store, IOptions<NotificationsOptions> options, TimeProvider clock, CancellationToken ct)
    {
        var projectId = http.User.GetProjectId();
        var errors = new FieldErrors();
        if (ChannelValidator.Validate(body.Value, null, options.Value.Outbound.AllowedHosts, errors, out var secret) is not { } valid)
        {
            return ApiProblems.Validation(errors);
        }

        if ((await store.ListAsync(projectId, ct)).Count >= options.Value.MaxChannelsPerProject)
        {
            return ApiProblems.Status(StatusCodes.Status409Conflict, "Too many channels.",
                $"This project has {options.Value.MaxChannelsPerProject} channels, the most allowed (Notifications:MaxChannelsPerProject).");
        }

        var now = clock.GetUtcNowMs();
        var channel = new Channel("ch_" + Guid.CreateVersion7(now).ToString("N"), projectId, valid, now, now);
        await store.SaveAsync(channel, ct);
        return TypedResults.Created($"/v1/channels/{channel.Id}", Answer(channel, secret));
    }

    private static async Task<Results<Ok<ChannelResponse>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        HttpContext http, string channelId, JsonBody<ChannelDefinition> body, IChannelStore store, IOptions<NotificationsOptions> options, TimeProvider clock, CancellationToken ct)
    {
        if (await store.GetAsync(http.User.GetProjectId(), channelId, ct) is not { } existing)
        {
            return NotFound(channelId);
        }

        var errors = new FieldErrors();
        if (body.Value.Kind is { } kind && kind != existing.Definition.Kind)
        {
            return ApiProblems.Validation("kind", $"cannot change from {existing.Definition.Kind}: create a new channel instead");
        }

        if (ChannelValidator.Validate(body.Value, existing.Definition, options.Value.Outbound.AllowedHosts, errors, out var secret) is not { } valid)
        {
            return ApiProblems.Validation(errors);
        }

        var channel = existing with { Definition = valid, UpdatedAt = clock.GetUtcNowMs() };
        await store.SaveAsync(channel, ct);
        return TypedResults.Ok(Answer(channel, secret));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(HttpContext http, string channelId, IChannelStore store, CancellationToken ct) =>
        await store.DeleteAsync(http.User.GetProjectId(), channelId, ct) ? TypedResults.NoContent() : NotFound(channelId);

    /// <summary>A channel as answers show it: secrets taken out, which ones are set, and a generated secret once.</summary>
    /// <summary>What a template makes of a sample alert (or, with <c>"of": "event"</c>, a sample event): the dashboard's preview, with the same validation as saving.</summary>
    private static Results<Ok<TemplatePreview>, ValidationProblem> PreviewAsync(JsonBody<TemplatePreviewRequest> body)
    {
        var errors = new FieldErrors();
        MessageTemplate.Validate(body.Value.Template?.Title, "template.title", errors);
        MessageTemplate.Validate(body.Value.Template?.Body, "template.body", errors);
        if (body.Value.Of is not (null or "alert" or "event"))
        {
            errors.Add("of", "must be alert (the default) or event");
        }

        if (!errors.IsEmpty)
        {
            return ApiProblems.Validation(errors);
        }

        var sample = body.Value.Of == "event" ? TemplateSamples.Event : TemplateSamples.Alert;
        var rendered = MessageTemplate.Apply(body.Value.Template, sample);
        return TypedResults.Ok(new TemplatePreview(rendered.Title, rendered.Body));
    }

    private static ChannelResponse Answer(Channel channel, string? generatedSecret = null)
    {
        var (d, secrets) = ChannelValidator.Redact(channel.Definition);
        return new ChannelResponse(channel.Id, d.Name, d.Kind, d.Webhook, d.Slack, d.Discord, d.Email, d.Telegram, d.Ntfy, d.Receive ?? [], secrets,
            channel.CreatedAt, channel.UpdatedAt, generatedSecret, d.MaxMessagesPerMinute, d.Template);
    }

    private static ProblemHttpResult NotFound(string channelId) => ApiProblems.NotFound($"No channel with id '{channelId}' in this project.");
}

/// <summary>A template to try, on a sample <c>alert</c> (default) or <c>event</c> message.</summary>
public sealed record TemplatePreviewRequest(MessageTemplateSettings? Template, string? Of);

public sealed record TemplatePreview(string Title, string Body);

/// <summary>The messages a template preview fills in: shaped as real ones are.</summary>
internal static class TemplateSamples
{
    public static readonly NotificationMessage Alert = new("alert.triggered", "no leads (campaign-C)",
        "0 matching events in the last 3600 s for campaignGroup = campaign-C; expected at least 1.", "error", "/alerts/0196-sample",
        JsonSerializer.SerializeToElement(new
        {
            alertId = "0196-sample", projectId = "default", ruleId = "r_sample", ruleName = "no leads", kind = "volume", group = "campaign-C",
            evidence = new { summary = "0 matching events in the last 3600 s for campaignGroup = campaign-C; expected at least 1.", count = 0, windowSeconds = 3600, lastEventName = "lead created" },
            channels = new[] { "ch_sample" }, triggeredAt = "2027-01-04T09:00:00Z", acknowledgeUrl = "/ack/0196-sample/1799999999/sample",
        }, JsonSerializerOptions.Web));

    public static readonly NotificationMessage Event = new("event", "user signed up", "ana@example.com chose Pro (annual)", "info", "/events/0196-sample", null,
        JsonSerializer.SerializeToElement(new { id = "0196-sample", name = "user signed up", category = "signups", userId = "user-812", content = "ana@example.com chose Pro (annual)" },
            JsonSerializerOptions.Web));
}
