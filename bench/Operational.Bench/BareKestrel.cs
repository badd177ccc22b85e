namespace Operational.Bench;

/// <summary>
/// The ceiling of HTTP on this machine: Kestrel answering 202 to a POST that it reads and
/// discards, with nothing else (no auth, no validation, no bus). Run as its own process.
/// </summary>
internal static class BareKestrel
{
    public static async Task RunAsync(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapPost("/v1/events", async (HttpRequest request) =>
        {
            await request.Body.CopyToAsync(Stream.Null);
            return Results.Accepted(value: new { id = "x" });
        });
        app.MapGet("/health/ready", () => Results.Ok());
        await app.RunAsync();
    }
}
