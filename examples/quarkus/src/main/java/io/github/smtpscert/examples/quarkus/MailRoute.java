package io.github.smtpscert.examples.quarkus;

import org.apache.camel.builder.RouteBuilder;

/**
 * Mails whatever is sent to direct:send-mail. The envelope and the Quarkus TLS configuration that gives the client
 * identity and trust (tls-configuration-name) are component defaults from application.properties, so the endpoint URI
 * names only the relay.
 */
public class MailRoute extends RouteBuilder {

    @Override
    public void configure() {
        from("direct:send-mail")
                .to("smtps-cert:{{smtp.host}}:{{smtp.port}}")
                .log("Sent ${header.CamelSmtpsCertMessageId} presenting ${header.CamelSmtpsCertClientCertificate}");
    }
}
