namespace Operational.Storage.Query;

/// <summary>The answer of <c>GET /v1/categories</c>.</summary>
public sealed record CategoryListResponse(IReadOnlyList<CategoryCountResponse> Categories);

public sealed record CategoryCountResponse(string Name, long Count, DateTimeOffset LastEventAt);
