package io.github.smtpscert.examples.quickstart;

import org.apache.camel.builder.RouteBuilder;

/** Sends quickstart.messages mails, one per timer tick, presenting the client certificate from application.properties. */
public class MailRoute extends RouteBuilder {

    @Override
    public void configure() {
        from("timer:quickstart?includeMetadata=true&delay=0&period=200&repeatCount={{quickstart.messages}}")
                .setHeader("Subject", simple("Quickstart message ${header.CamelTimerCounter}"))
                .setBody(simple("Hello from camel-smtps-cert, message ${header.CamelTimerCounter}."))
                .to("smtps-cert:{{smtp.host}}:{{smtp.port}}?tlsMode={{smtp.tls-mode}}"
                    + "&from={{mail.from}}&to={{mail.to}}&useHeaderSubject=true"
                    + "&keyStore={{client.key-store}}&keyStorePassword=RAW({{client.key-store-password}})"
                    + "&trustCertificates={{trust.certificates}}"
                    + "&maxMessagesPerConnection={{smtp.max-messages-per-connection}}");
    }
}
