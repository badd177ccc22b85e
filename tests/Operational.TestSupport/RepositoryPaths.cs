namespace Operational.TestSupport;

/// <summary>Where the repository and the built service binaries are, seen from a test binary.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>Debug or Release: whatever the tests themselves were built as.</summary>
    public static string Configuration { get; } =
        AppContext.BaseDirectory.Split(Path.DirectorySeparatorChar).Contains("Release") ? "Release" : "Debug";

    /// <summary>The built <c>{assembly}.dll</c> of the project in <paramref name="projectDirectory"/> (relative to the root).</summary>
    public static string BuiltAssembly(string projectDirectory, string assembly)
    {
        var path = Path.Combine(Root, projectDirectory, "bin", Configuration, "net10.0", assembly + ".dll");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path} is missing: build the solution first (dotnet build Operational.sln -c {Configuration}).", path);
        }

        return path;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Operational.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Operational.sln not found above " + AppContext.BaseDirectory);
    }
}
