package io.github.smtpscert.examples.quarkus;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.camel.ProducerTemplate;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** With mail.send-on-startup=true the application sends one mail and ends: a quick check of a relay's settings. */
@ApplicationScoped
public class SendOnStartup {

    void onStart(@Observes StartupEvent event, ProducerTemplate producer,
                 @ConfigProperty(name = "mail.send-on-startup") boolean sendOnStartup) {
        if (sendOnStartup) {
            producer.sendBody("direct:send-mail", "Hello from camel-smtps-cert on Camel Quarkus.");
            Quarkus.asyncExit();
        }
    }
}
