using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Caching.Memory;
using Operational.Gateway.Identity;
using Operational.Gateway.Sessions;
using Operational.ServiceDefaults.Identity;
using Operational.ServiceDefaults.Problems;
using Operational.ServiceDefaults.Requests;
using Operational.ServiceDefaults.Validation;

namespace Operational.Gateway.Projects;

/// <summary>
/// Projects and API keys. <c>/v1/keys</c> manages the caller's own project (admin scope);
/// <c>/v1/projects</c> administers the installation and is reserved to admin keys of the
/// project <c>default</c>. Secrets are shown once, at creation; only hashes are stored.
/// </summary>
public static class ProjectEndpoints
{
    /// <summary>Names and scopes: a few hundred bytes.</summary>
    private const int SmallBodyBytes = 4 * 1024;

    public static IEndpointRouteBuilder MapProjects(this IEndpointRouteBuilder endpoints)
    {
        var keys = endpoints.MapGroup("/v1/keys").RequireAuthorization(Policies.Admin).WithTags("Keys");
        keys.MapGet("", (HttpContext http, IIdentityStore store, CancellationToken ct) => ListKeys(http.User.GetProjectId(), store, ct)).WithName("ListKeys");
        keys.MapPost("", (HttpContext http, JsonBody<CreateKeyRequest> body, IIdentityStore store, TimeProvider clock, CancellationToken ct) =>
            CreateKey(http.User.GetProjectId(), body.Value, store, clock, ct)).WithName("CreateKey").WithJsonBodyLimit(SmallBodyBytes);
        keys.MapDelete("/{keyId}", (HttpContext http, string keyId, IIdentityStore store, IMemoryCache cache, TimeProvider clock, CancellationToken ct) =>
            RevokeKey(http.User.GetProjectId(), keyId, store, cache, clock, ct)).WithName("RevokeKey");

        var projects = endpoints.MapGroup("/v1/projects")
            .RequireAuthorization(Policies.InstallationAdmin)
            .WithTags("Projects");
        projects.MapGet("", ListProjects).WithName("ListProjects");
        projects.MapPost("", CreateProject).WithName("CreateProject").WithJsonBodyLimit(SmallBodyBytes);
        projects.MapDelete("/{projectId}", RevokeProject).WithName("RevokeProject");
        projects.MapGet("/{projectId}/keys", (string projectId, IIdentityStore store, CancellationToken ct) => ListKeys(projectId, store, ct)).WithName("ListProjectKeys");
        projects.MapPost("/{projectId}/keys", (string projectId, JsonBody<CreateKeyRequest> body, IIdentityStore store, TimeProvider clock, CancellationToken ct) =>
            CreateKey(projectId, body.Value, store, clock, ct)).WithName("CreateProjectKey").WithJsonBodyLimit(SmallBodyBytes);
        projects.MapDelete("/{projectId}/keys/{keyId}", (string projectId, string keyId, IIdentityStore store, IMemoryCache cache, TimeProvider clock, CancellationToken ct) =>
            RevokeKey(projectId, keyId, store, cache, clock, ct)).WithName("RevokeProjectKey");
        return endpoints;
    }

    private static async Task<Ok<ProjectListResponse>> ListProjects(IIdentityStore store, CancellationToken ct) =>
        TypedResults.Ok(new ProjectListResponse((await store.ListProjectsAsync(ct)).Select(ProjectResponse.From).ToList()));

    private static async Task<Results<Created<CreatedProjectResponse>, ValidationProblem, ProblemHttpResult>> CreateProject(
        JsonBody<CreateProjectRequest> body, IIdentityStore store, TimeProvider clock, CancellationToken ct)
    {
        var request = body.Value;
        var name = request.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > Project.MaxNameLength || name.Any(char.IsControl))
        {
            return ApiProblems.Validation("name", $"is required: 1 to {Project.MaxNameLength} characters, e.g. \"Shop backend\"");
        }

        var id = request.Id?.Trim() ?? Slug(name);
        if (!Project.IsValidId(id))
        {
            return ApiProblems.Validation("id", $"must be 1 to {Project.MaxIdLength} lowercase letters, digits or '-', starting with a letter or digit");
        }

        var now = clock.GetUtcNow();
        if (!await store.TryCreateProjectAsync(new Project(id, name, now), ct))
        {
            return ApiProblems.Status(StatusCodes.Status409Conflict, "Project exists.", $"A project with id '{id}' already exists; choose another id.");
        }

        var admin = await AddKeyAsync(id, "admin", [ApiScopes.Admin], store, now, ct);
        var ingest = await AddKeyAsync(id, "ingest", [ApiScopes.Ingest], store, now, ct);
        var project = ProjectResponse.From(new Project(id, name, now));
        return TypedResults.Created($"/v1/projects/{id}", new CreatedProjectResponse(project, admin, ingest));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeProject(
        string projectId, IIdentityStore store, IMemoryCache cache, TimeProvider clock, CancellationToken ct)
    {
        if (projectId == Project.DefaultId)
        {
            return ApiProblems.Status(StatusCodes.Status409Conflict, "Cannot revoke.", $"The project '{Project.DefaultId}' administers the installation and cannot be revoked.");
        }

        var project = await store.GetProjectAsync(projectId, ct);
        if (project is null)
        {
            return ApiProblems.NotFound($"No project with id '{projectId}'.");
        }

        await store.RevokeProjectAsync(projectId, clock.GetUtcNow(), ct);
        foreach (var key in await store.ListKeysAsync(projectId, ct))
        {
            ApiKeyAuthenticationHandler.Forget(cache, key.Hash);
        }

        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<KeyListResponse>, ProblemHttpResult>> ListKeys(string projectId, IIdentityStore store, CancellationToken ct)
    {
        if (await store.GetProjectAsync(projectId, ct) is null)
        {
            return ApiProblems.NotFound($"No project with id '{projectId}'.");
        }

        return TypedResults.Ok(new KeyListResponse((await store.ListKeysAsync(projectId, ct)).Select(KeyResponse.From).ToList()));
    }

    private static async Task<Results<Created<CreatedKeyResponse>, ValidationProblem, ProblemHttpResult>> CreateKey(
        string projectId, CreateKeyRequest request, IIdentityStore store, TimeProvider clock, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var name = request.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > 128 || name.Any(char.IsControl))
        {
            errors.Add("name", "is required: 1 to 128 characters, e.g. \"iOS app\"");
        }

        var scopes = request.Scopes?.Distinct(StringComparer.Ordinal).ToList() ?? [];
        if (scopes.Count == 0 || scopes.Any(s => !ApiScopes.All.Contains(s)))
        {
            errors.Add("scopes", $"must list one or more of {string.Join(", ", ApiScopes.All)}; an ingest-only key is safe to ship in an app");
        }
        else if (scopes.Intersect(ApiScopes.UrlScopes).Any() && scopes.Count > 1)
        {
            errors.Add("scopes", "ping and badge stand alone: their keys are written into URLs (crontabs, logs, READMEs), so they can do nothing else");
        }

        if (!errors.IsEmpty)
        {
            return ApiProblems.Validation(errors);
        }

        var project = await store.GetProjectAsync(projectId, ct);
        if (project is null)
        {
            return ApiProblems.NotFound($"No project with id '{projectId}'.");
        }

        if (project.RevokedAt is not null)
        {
            return ApiProblems.Status(StatusCodes.Status409Conflict, "Project revoked.", $"The project '{projectId}' was revoked; it takes no new keys.");
        }

        var created = await AddKeyAsync(projectId, name!, scopes, store, clock.GetUtcNow(), ct);
        return TypedResults.Created($"/v1/keys/{created.Details.Id}", created);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeKey(
        string projectId, string keyId, IIdentityStore store, IMemoryCache cache, TimeProvider clock, CancellationToken ct)
    {
        var key = (await store.ListKeysAsync(projectId, ct)).FirstOrDefault(k => k.Id == keyId);
        if (key is null)
        {
            // Another project's key is "not found" too: its existence is not this caller's business.
            return ApiProblems.NotFound($"No key with id '{keyId}' in project '{projectId}'.");
        }

        await store.RevokeKeyAsync(projectId, keyId, clock.GetUtcNow(), ct);
        ApiKeyAuthenticationHandler.Forget(cache, key.Hash);
        return TypedResults.NoContent();
    }

    private static async Task<CreatedKeyResponse> AddKeyAsync(string projectId, string name, IReadOnlyList<string> scopes, IIdentityStore store, DateTimeOffset now, CancellationToken ct)
    {
        // The prefix shows the widest scope, so an admin key is never mistaken for one safe to ship.
        var widest = scopes.Contains(ApiScopes.Admin) ? ApiScopes.Admin : scopes.Contains(ApiScopes.Read) ? ApiScopes.Read
            : scopes.Contains(ApiScopes.Ingest) ? ApiScopes.Ingest : scopes[0];
        var secret = ApiKeySecrets.Generate(widest);
        var key = ApiKeySecrets.Describe(secret, projectId, name, scopes, now);
        await store.TryAddKeyAsync(key, ct);
        return new CreatedKeyResponse(secret, KeyResponse.From(key));
    }

    /// <summary>"Shop Backend (EU)" → "shop-backend-eu".</summary>
    internal static string Slug(string name)
    {
        var slug = new StringBuilder();
        foreach (var c in name.ToLowerInvariant())
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                slug.Append(c);
            }
            else if (slug.Length > 0 && slug[^1] != '-')
            {
                slug.Append('-');
            }
        }

        var id = slug.ToString().Trim('-');
        return id.Length > Project.MaxIdLength ? id[..Project.MaxIdLength].TrimEnd('-') : id;
    }
}
