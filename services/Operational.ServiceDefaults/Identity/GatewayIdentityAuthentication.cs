using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Operational.ServiceDefaults.Hosting;

namespace Operational.ServiceDefaults.Identity;

public static class GatewayIdentityAuthentication
{
    public const string Scheme = "GatewayIdentity";

    /// <summary>
    /// For a service running as its own process: it trusts only requests carrying an identity
    /// the gateway signed, so nothing can reach its API around the gateway.
    /// </summary>
    public static IHostApplicationBuilder AddGatewayIdentityAuthentication(this IHostApplicationBuilder builder)
    {
        builder.BindValidated<InternalAuthOptions, InternalAuthOptionsValidator>(InternalAuthOptions.SectionName);
        builder.Services
            .AddAuthentication(Scheme)
            .AddScheme<AuthenticationSchemeOptions, GatewayIdentityHandler>(Scheme, configureOptions: null);
        return builder;
    }
}

internal sealed class GatewayIdentityHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptions<InternalAuthOptions> internalAuth,
    TimeProvider clock)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var token = Request.Headers[GatewayIdentityToken.HeaderName].ToString();
        if (string.IsNullOrEmpty(token))
        {
            return Task.FromResult(AuthenticateResult.Fail("Requests to this service must come through the Operational gateway."));
        }

        if (!GatewayIdentityToken.TryValidate(token, internalAuth.Value.Secret!, clock.GetUtcNow(), out var caller, out var error))
        {
            Logger.LogWarning("Refused a request without a valid gateway identity: {Reason}", error);
            return Task.FromResult(AuthenticateResult.Fail(error!));
        }

        var principal = OperationalClaims.CreatePrincipal(caller!, GatewayIdentityAuthentication.Scheme);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, GatewayIdentityAuthentication.Scheme)));
    }
}
