namespace Operational.ServiceDefaults.Storage;

/// <summary>
/// The installation's data folder and files are the owner's alone: folders 0700, files 0600, so
/// other accounts on the machine read neither events nor stored secrets. On systems without Unix
/// modes (Windows) the folder's own access rules apply.
/// </summary>
public static class DataFiles
{
    private const UnixFileMode Folder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode File = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Creates the folder (owner only) or narrows an existing one; returns its full path.</summary>
    public static string EnsureFolder(string folder)
    {
        folder = Path.GetFullPath(folder);
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
            return folder;
        }

        Directory.CreateDirectory(folder, Folder);
        if (System.IO.File.GetUnixFileMode(folder) != Folder)
        {
            System.IO.File.SetUnixFileMode(folder, Folder);
        }

        return folder;
    }

    /// <summary>Creates a new file readable and writable by the owner only; fails if it exists.</summary>
    public static FileStream CreateOwnerOnly(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = File;
        }

        return new FileStream(path, options);
    }

    /// <summary>Narrows an existing file (and SQLite's companions beside it) to the owner.</summary>
    public static void RestrictToOwner(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        foreach (var file in new[] { path, path + "-wal", path + "-shm", path + "-journal" }.Where(System.IO.File.Exists))
        {
            try
            {
                if ((System.IO.File.GetUnixFileMode(file) & ~File) != 0)
                {
                    System.IO.File.SetUnixFileMode(file, File);
                }
            }
            catch (FileNotFoundException) when (file != path)
            {
                // A companion another process sharing the file removed meanwhile (a rollback journal's short life): nothing to narrow.
            }
        }
    }
}
