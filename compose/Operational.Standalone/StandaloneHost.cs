namespace Operational.Standalone;

/// <summary>Names this host's assembly, e.g. for <c>WebApplicationFactory&lt;StandaloneHost&gt;</c> in tests.</summary>
public sealed class StandaloneHost;
