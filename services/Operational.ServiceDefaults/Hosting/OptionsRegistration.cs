using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Operational.ServiceDefaults.Hosting;

public static class OptionsRegistration
{
    /// <summary>
    /// Binds a section, validates it now (some options shape service registration, so they
    /// cannot wait for the host to start) and registers it for <see cref="IOptions{T}"/>
    /// with validation on start as well.
    /// </summary>
    /// <exception cref="OptionsValidationException">With one message per invalid setting.</exception>
    public static TOptions BindValidated<TOptions, TValidator>(this IHostApplicationBuilder builder, string sectionName)
        where TOptions : class, new()
        where TValidator : class, IValidateOptions<TOptions>, new()
    {
        var section = builder.Configuration.GetSection(sectionName);
        var options = new TOptions();
        section.Bind(options);

        var result = new TValidator().Validate(Options.DefaultName, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(sectionName, typeof(TOptions), result.Failures);
        }

        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
        builder.Services.AddOptions<TOptions>().Bind(section).ValidateOnStart();
        return options;
    }
}
