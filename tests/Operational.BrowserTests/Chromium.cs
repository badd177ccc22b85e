using Microsoft.Playwright;

namespace Operational.BrowserTests;

/// <summary>Debian's Chromium, driven by Playwright: no browser download (tests/run.sh installs the package).</summary>
public static class Chromium
{
    public const string ExecutablePath = "/usr/bin/chromium";

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        Assert.True(File.Exists(ExecutablePath), $"{ExecutablePath} is missing: install Debian's chromium package (tests/run.sh does).");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
        return (playwright, browser);
    }

    public static readonly ViewportSize Desktop = new() { Width = 1280, Height = 860 };

    /// <summary>An iPhone 12–15 sized screen: the narrowest the dashboard is made for.</summary>
    public static readonly ViewportSize Phone = new() { Width = 390, Height = 844 };
}
