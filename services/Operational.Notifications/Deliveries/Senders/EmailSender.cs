using System.Net;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;
using Operational.Notifications.Channels;
using Operational.Notifications.Outbound;

namespace Operational.Notifications.Deliveries.Senders;

/// <summary>
/// Mail over SMTP with MailKit: a plain-text message to the channel's recipients. The connection
/// is made by the outbound guard (no inward addresses unless allowed) and handed to MailKit.
/// </summary>
public sealed class EmailSender(IOptions<NotificationsOptions> options) : IChannelSender
{
    public string Kind => ChannelKinds.Email;

    public async Task<AttemptResult> SendAsync(Channel channel, Delivery delivery, CancellationToken cancellationToken)
    {
        var settings = channel.Definition.Email!;
        var m = delivery.Message;
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(settings.From!));
        foreach (var to in settings.To!)
        {
            message.To.Add(MailboxAddress.Parse(to));
        }

        message.Subject = m.Title;
        message.Body = new TextPart("plain") { Text = m.Url is null ? m.Body : $"{m.Body}\n\n{m.Url}" };
        message.Headers.Add("X-Operational-Delivery", delivery.Id);

        using var client = new SmtpClient();
        var security = settings.Security switch
        {
            "tls" => SecureSocketOptions.SslOnConnect,
            "none" => SecureSocketOptions.None,
            _ => SecureSocketOptions.StartTls,
        };
        try
        {
            var socket = await OutboundHttp.ConnectSocketAsync(new DnsEndPoint(settings.Host!, settings.Port ?? 587), options.Value.Outbound.AllowedHosts, cancellationToken);
            await client.ConnectAsync(socket, settings.Host!, settings.Port ?? 587, security, cancellationToken);
            if (!string.IsNullOrEmpty(settings.Username))
            {
                await client.AuthenticateAsync(settings.Username, settings.Password ?? "", cancellationToken);
            }

            await client.SendAsync(message, cancellationToken);
            await client.DisconnectAsync(quit: true, cancellationToken);
            return AttemptResult.Ok;
        }
        catch (AuthenticationException e)
        {
            return new AttemptResult(false, null, $"The SMTP server refused the credentials: {e.Message}", Permanent: true);
        }
        catch (SmtpCommandException e) when ((int)e.StatusCode >= 500)
        {
            // 5xx: the server refuses for good (unknown mailbox, relaying denied); retrying will not change its mind.
            return new AttemptResult(false, (int)e.StatusCode, $"The SMTP server refused: {e.Message}", Permanent: true);
        }
        catch (Exception e) when (e is SmtpCommandException or SmtpProtocolException or ServiceNotConnectedException or IOException or System.Net.Sockets.SocketException)
        {
            return new AttemptResult(false, null, e.Message);
        }
    }
}
