package io.github.smtpscert.internal.transport;

import io.github.smtpscert.internal.tls.TlsPolicy;

/**
 * The server and how to talk to it: what the transport needs of the endpoint's options, and nothing more.
 *
 * @param protocolsOption the protocols option as the user wrote it, for messages
 */
public record ServerSettings(String host, int port, boolean implicitTls, String username, String password,
                             int connectionTimeout, int timeout, int writeTimeout, boolean verifyHostname,
                             TlsPolicy policy, String protocolsOption, boolean sendPartial) {

    /** "host:port", for messages. */
    public String address() {
        return host + ":" + port;
    }

    @Override
    public String toString() { // never the password
        return "ServerSettings[" + address() + (implicitTls ? ", implicit TLS" : ", STARTTLS") + "]";
    }
}
