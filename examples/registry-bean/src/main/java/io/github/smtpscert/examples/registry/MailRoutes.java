package io.github.smtpscert.examples.registry;

import org.apache.camel.builder.RouteBuilder;

/** One mail presenting the KeyStore bean and one presenting the SSLContextParameters bean. */
public class MailRoutes extends RouteBuilder {

    @Override
    public void configure() {
        from("timer:key-store-bean?repeatCount=1&delay=0").routeId("key-store-bean")
                .setBody(constant("Sent presenting the clientKeyStore bean."))
                .to("smtps-cert:{{smtp.host}}:{{smtp.port}}?subject=KeyStore bean"
                    + "&clientCertificates=#clientKeyStore&keyPassword=RAW({{client.key-store-password}})"
                    + "&trustCertificates={{trust.certificates}}")
                .log("Sent presenting ${header.CamelSmtpsCertClientCertificate}");

        // trust comes from the bean's trust managers as well
        from("timer:ssl-context-parameters-bean?repeatCount=1&delay=0").routeId("ssl-context-parameters-bean")
                .setBody(constant("Sent presenting the clientTls bean."))
                .to("smtps-cert:{{smtp.host}}:{{smtp.port}}?subject=SSLContextParameters bean"
                    + "&clientCertificates=#clientTls")
                .log("Sent presenting ${header.CamelSmtpsCertClientCertificate}");
    }
}
