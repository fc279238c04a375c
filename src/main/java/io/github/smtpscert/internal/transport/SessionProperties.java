package io.github.smtpscert.internal.transport;

import java.util.Properties;
import java.util.concurrent.ScheduledExecutorService;

import javax.net.SocketFactory;

import jakarta.mail.Session;

/** The Angus session for one identity's connections: TLS always on, never a fall-back, our timeouts. */
final class SessionProperties {
    private SessionProperties() {
    }

    /** @param plainSocketFactory the plain sockets STARTTLS starts on; unused for implicit TLS */
    static Session session(ServerSettings server, TrackingSocketFactory socketFactory,
                           SocketFactory plainSocketFactory, ScheduledExecutorService scheduler) {
        String prefix = server.implicitTls() ? "mail.smtps." : "mail.smtp.";
        Properties props = new Properties();
        props.put(prefix + "ssl.socketFactory", socketFactory);
        if (!server.implicitTls()) {
            props.put(prefix + "socketFactory", plainSocketFactory);
        }
        // Angus otherwise retries a failed TLS connect with the JVM's default factory: no client certificate,
        // default trust, and the real cause (e.g. a host name mismatch) replaced by a misleading one
        props.put(prefix + "socketFactory.fallback", "false");
        if (server.implicitTls()) {
            props.put(prefix + "ssl.enable", "true");
        } else {
            props.put(prefix + "starttls.enable", "true");
            props.put(prefix + "starttls.required", "true");
        }
        props.put(prefix + "ssl.checkserveridentity", String.valueOf(server.verifyHostname()));
        if (server.policy().protocols() != null) {
            props.put(prefix + "ssl.protocols", String.join(" ", server.policy().protocols()));
        }
        if (server.policy().cipherSuites() != null) {
            props.put(prefix + "ssl.ciphersuites", String.join(" ", server.policy().cipherSuites()));
        }
        props.put(prefix + "connectiontimeout", String.valueOf(server.connectionTimeout()));
        props.put(prefix + "timeout", String.valueOf(server.timeout()));
        props.put(prefix + "writetimeout", String.valueOf(server.writeTimeout()));
        // one shared timer thread instead of one per connection
        props.put(prefix + "executor.writetimeout", scheduler);
        props.put(prefix + "auth", String.valueOf(server.username() != null));
        // QUIT comes after the last reply that matters, so closing need not wait a round trip for "221 Bye"
        props.put(prefix + "quitwait", "false");
        props.put(prefix + "sendpartial", String.valueOf(server.sendPartial()));
        return Session.getInstance(props);
    }
}
