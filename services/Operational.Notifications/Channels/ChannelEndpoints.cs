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
    private static ChannelResponse Answer(Channel channel, string? generatedSecret = null)
    {
        var (d, secrets) = ChannelValidator.Redact(channel.Definition);
        return new ChannelResponse(channel.Id, d.Name, d.Kind, d.Webhook, d.Slack, d.Discord, d.Email, d.Telegram, d.Ntfy, d.Receive ?? [], secrets,
            channel.CreatedAt, channel.UpdatedAt, generatedSecret, d.MaxMessagesPerMinute);
    }

    private static ProblemHttpResult NotFound(string channelId) => ApiProblems.NotFound($"No channel with id '{channelId}' in this project.");
}
