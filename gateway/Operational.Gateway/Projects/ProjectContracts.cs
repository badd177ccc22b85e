using Operational.Gateway.Identity;

namespace Operational.Gateway.Projects;

public sealed record CreateProjectRequest(string? Id, string? Name);

public sealed record CreateKeyRequest(string? Name, IReadOnlyList<string>? Scopes);

public sealed record ProjectResponse(string Id, string Name, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt)
{
    public static ProjectResponse From(Project p) => new(p.Id, p.Name, p.CreatedAt, p.RevokedAt);
}

/// <summary>A key as lists show it: never the secret.</summary>
public sealed record KeyResponse(string Id, string Project, string Name, string Prefix, IReadOnlyList<string> Scopes, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt)
{
    public static KeyResponse From(ApiKey k) => new(k.Id, k.ProjectId, k.Name, k.Prefix, k.Scopes, k.CreatedAt, k.RevokedAt);
}

/// <summary>A key just created: the only time its secret is shown.</summary>
public sealed record CreatedKeyResponse(string Key, KeyResponse Details);

/// <summary>A project just created, with its first admin and ingest keys (shown once).</summary>
public sealed record CreatedProjectResponse(ProjectResponse Project, CreatedKeyResponse AdminKey, CreatedKeyResponse IngestKey);

public sealed record ProjectListResponse(IReadOnlyList<ProjectResponse> Projects);

public sealed record KeyListResponse(IReadOnlyList<KeyResponse> Keys);
