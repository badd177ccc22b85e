using Operational.ServiceDefaults.Hosting;

namespace Operational.Storage.LiveFeed;

/// <summary>Wakes the open streams of this process when it stored events, so they need not wait for their next poll.</summary>
public sealed class StoredSignal : Signal;
