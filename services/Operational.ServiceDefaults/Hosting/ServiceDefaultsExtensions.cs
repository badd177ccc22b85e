using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Operational.ServiceDefaults.Health;
using Operational.ServiceDefaults.Identity;
using Operational.ServiceDefaults.OpenApi;
using Operational.ServiceDefaults.Problems;
using Operational.ServiceDefaults.Storage;
using Operational.ServiceDefaults.Telemetry;

namespace Operational.ServiceDefaults.Hosting;

public static class ServiceDefaultsExtensions
{
    /// <summary>
    /// Plumbing every process shares: telemetry, problem+json errors, health checks, JSON
    /// conventions, storage selection and the scope-based authorization policies.
    /// </summary>
    public static WebApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder, string serviceName)
    {
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        // Authentication pulls in Data Protection, which warns about unencrypted key storage at
        // every start; nothing here uses it (no cookies, no protected payloads).
        builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);

        builder.AddOperationalTelemetry(serviceName);
        builder.Services.AddOperationalProblemDetails();
        builder.Services.AddHealthChecks();
        builder.Services.ConfigureHttpJsonOptions(json => ConfigureJson(json.SerializerOptions));
        builder.BindValidated<StorageOptions, StorageOptionsValidator>(StorageOptions.SectionName);
        builder.Services.AddOperationalAuthorization();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddOperationalOpenApi();

        return builder;
    }

    public static WebApplication UseServiceDefaults(this WebApplication app)
    {
        // First: everything after it (cookies, throttles, rate limits, logs) sees the client, not the proxy.
        if (app.Services.GetService<ForwardedHeadersPipeline>() is not null)
        {
            app.UseForwardedHeaders();
        }

        app.UseExceptionHandler();
        app.UseStatusCodePages();
        // Explicit, for the rate limiter's place: after authentication (it partitions by the caller's
        // key) and before authorization (which answers calls without valid credentials, and those
        // must be limited too).
        app.UseAuthentication();
        if (app.Services.GetService<RateLimitedPipeline>() is not null)
        {
            app.UseRateLimiter();
        }

        app.UseAuthorization();
        app.MapHealthEndpoints();
        app.MapOperationalOpenApi();
        return app;
    }

    /// <summary>Puts ASP.NET Core's rate limiter (whose limiter the module configures) into the pipeline, between authentication and authorization.</summary>
    public static IServiceCollection AddRateLimitedPipeline(this IServiceCollection services)
    {
        services.AddSingleton<RateLimitedPipeline>();
        return services;
    }

    /// <summary>Puts the forwarded-headers middleware (whose trusted proxies the module configures) first in the pipeline.</summary>
    public static IServiceCollection AddForwardedHeadersInPipeline(this IServiceCollection services)
    {
        services.AddSingleton<ForwardedHeadersPipeline>();
        return services;
    }

    /// <summary>The JSON conventions of every public and internal API.</summary>
    public static void ConfigureJson(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        // Emoji and accents stay readable; responses are application/json, never embedded in HTML.
        options.Encoder = EmojiFriendlyJavaScriptEncoder.Instance;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
    }
}

/// <summary>Marks a process whose pipeline has the rate limiter (see <see cref="ServiceDefaultsExtensions.AddRateLimitedPipeline"/>).</summary>
public sealed class RateLimitedPipeline;

/// <summary>Marks a process whose pipeline starts with the forwarded-headers middleware (see <see cref="ServiceDefaultsExtensions.AddForwardedHeadersInPipeline"/>).</summary>
public sealed class ForwardedHeadersPipeline;
