using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;

namespace Operational.TestSupport;

/// <summary>
/// A gateway or service started as its own operating-system process (<c>dotnet X.dll</c>),
/// as it runs in distributed mode. Output is captured so a failing test can show it.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private readonly string _projectDirectory;
    private readonly string _assembly;
    private readonly IReadOnlyDictionary<string, string> _environment;

    private ServiceProcess(string name, Process process, Uri address, string projectDirectory, string assembly, IReadOnlyDictionary<string, string> environment)
    {
        Name = name;
        _process = process;
        Address = address;
        _projectDirectory = projectDirectory;
        _assembly = assembly;
        _environment = environment;
    }

    public string Name { get; }

    public Uri Address { get; }

    public string Output => string.Join('\n', _output);

    public bool HasExited => _process.HasExited;

    /// <summary>The operating system's id of the process, e.g. for benchmarks to read its CPU time.</summary>
    public int ProcessId => _process.Id;

    /// <summary>Starts the built project and waits until <c>/health/ready</c> answers 200.</summary>
    public static async Task<ServiceProcess> StartAsync(
        string name,
        string projectDirectory,
        string assembly,
        IReadOnlyDictionary<string, string> environment,
        TimeSpan? readyTimeout = null,
        Uri? address = null)
    {
        var service = Launch(name, projectDirectory, assembly, environment, address ?? new Uri($"http://127.0.0.1:{FreePort.Next()}"));
        await service.WaitUntilReadyAsync(readyTimeout ?? TimeSpan.FromSeconds(60));
        return service;
    }

    /// <summary>Starts the built project and waits for it to end by itself (e.g. refusing to start); returns its exit code.</summary>
    public static async Task<(int ExitCode, string Output)> RunToExitAsync(
        string name, string projectDirectory, string assembly, IReadOnlyDictionary<string, string> environment, TimeSpan timeout)
    {
        await using var service = Launch(name, projectDirectory, assembly, environment, new Uri($"http://127.0.0.1:{FreePort.Next()}"));
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await service._process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{name} was still running after {timeout}:\n{service.Output}");
        }

        service._process.WaitForExit(); // drains the output readers
        return (service._process.ExitCode, service.Output);
    }

    private static ServiceProcess Launch(string name, string projectDirectory, string assembly, IReadOnlyDictionary<string, string> environment, Uri address)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.Combine(RepositoryPaths.Root, projectDirectory),
        };
        start.ArgumentList.Add(RepositoryPaths.BuiltAssembly(projectDirectory, assembly));
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(address.ToString().TrimEnd('/'));
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Logging__Console__FormatterName"] = "simple";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var service = new ServiceProcess(name, process, address, projectDirectory, assembly, environment);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) service._output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) service._output.Enqueue(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return service;
    }

    /// <summary>The same program with the same settings on the same address again (after <see cref="Kill"/>), ready.</summary>
    public Task<ServiceProcess> StartAgainAsync(TimeSpan? readyTimeout = null) =>
        StartAsync(Name, _projectDirectory, _assembly, _environment, readyTimeout, Address);

    /// <summary>kill -9: the process gets no chance to finish anything.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    public async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with code {_process.ExitCode} before it was ready:\n{Output}");
            }

            try
            {
                using var response = await http.GetAsync("/health/ready");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"{Name} was not ready within {timeout}:\n{Output}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
