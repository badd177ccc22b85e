using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;
using Operational.ServiceDefaults.Problems;

namespace Operational.Gateway.Dashboard;

/// <summary>
/// The dashboard: a PWA of plain HTML, CSS and JavaScript modules embedded in the gateway's
/// assembly (no Node toolchain to build or run it). The app's own routes answer its shell, so
/// deep links such as <c>/events/{id}</c> (which push notifications open) work on a fresh load;
/// anything else unknown is a 404 problem. The fallback runs after every other endpoint, so it
/// never shadows an API.
/// </summary>
public static class DashboardEndpoints
{
    private const string Shell = "/index.html";

    /// <summary>
    /// Scripts, styles and connections only from this origin; images from anywhere, because
    /// image events point at the sender's own storage.
    /// </summary>
    private const string ContentSecurityPolicy =
        "default-src 'self'; img-src * data: blob:; style-src 'self'; script-src 'self'; connect-src 'self'; " +
        "worker-src 'self'; manifest-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";

    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder endpoints)
    {
        var files = new EmbeddedFileProvider(typeof(DashboardEndpoints).Assembly, "Operational.Gateway.Dashboard.wwwroot");
        var types = new FileExtensionContentTypeProvider();
        types.Mappings[".webmanifest"] = "application/manifest+json";
        types.Mappings[".js"] = "text/javascript; charset=utf-8";

        var app = endpoints.CreateApplicationBuilder();
        app.Use(next => http =>
        {
            var path = http.Request.Path.Value ?? "/";
            if (path == "/" || IsPage(path))
            {
                http.Request.Path = Shell;
            }
            else if (!files.GetFileInfo(path).Exists)
            {
                // Neither a page of the app nor one of its files: a 404 problem, like any unknown route.
                return ApiProblems.WriteAsync(http, StatusCodes.Status404NotFound, "Not found.", $"There is nothing at {path}; the API is described at /openapi/v1.json.");
            }

            // Static files serve only requests no endpoint claimed; this one is ours now.
            http.SetEndpoint(null);
            return next(http);
        });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            ContentTypeProvider = types,
            OnPrepareResponse = file =>
            {
                var headers = file.Context.Response.Headers;
                // Files change with each release and carry no version in their names: revalidate (cheap, by ETag).
                headers.CacheControl = "no-cache";
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "same-origin";
                if (file.File.Name.EndsWith(".html", StringComparison.Ordinal))
                {
                    headers.ContentSecurityPolicy = ContentSecurityPolicy;
                    headers.XFrameOptions = "DENY";
                }
            },
        });
        app.Run(http => ApiProblems.WriteAsync(http, StatusCodes.Status404NotFound, "Not found.", "The dashboard serves files to GET and HEAD only."));

        // "{**path}", not MapFallback's default, which leaves out paths that look like files.
        endpoints.MapFallback("{**path}", app.Build()).WithDisplayName("Dashboard");
        return endpoints;
    }

    /// <summary>The app's own routes (js/app.js): these answer the shell, whatever follows (event ids may hold dots).</summary>
    private static readonly string[] Pages = ["/events", "/contexts", "/alerts", "/checks", "/rules", "/channels", "/charts", "/users", "/insights", "/metrics", "/settings"];

    private static bool IsPage(string path) =>
        Pages.Any(page => path == page || path.StartsWith(page + "/", StringComparison.Ordinal));
}
