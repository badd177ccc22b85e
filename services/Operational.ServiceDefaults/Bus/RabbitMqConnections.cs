using RabbitMQ.Client;

namespace Operational.ServiceDefaults.Bus;

/// <summary>Plain AMQP connections beside MassTransit's, for the few things it does not do (declaring another's queues, moving dead letters, probing the broker).</summary>
public static class RabbitMqConnections
{
    public static ConnectionFactory Factory(RabbitMqOptions rabbit, string clientName)
    {
        var factory = new ConnectionFactory
        {
            HostName = rabbit.Host,
            Port = rabbit.Port,
            VirtualHost = rabbit.VirtualHost,
            UserName = rabbit.Username,
            Password = rabbit.Password,
            RequestedConnectionTimeout = rabbit.ConnectTimeout,
            ClientProvidedName = clientName,
            AutomaticRecoveryEnabled = false,
        };
        if (rabbit.UseTls)
        {
            factory.Ssl = new SslOption { Enabled = true, ServerName = rabbit.Host };
        }

        return factory;
    }
}
