package io.github.smtpscert.examples.springboot;

import org.apache.camel.ProducerTemplate;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

/** With mail.send-on-startup=true the application sends one mail and ends: a quick check of a relay's settings. */
@Component
@ConditionalOnProperty("mail.send-on-startup")
public class SendOnStartup implements ApplicationRunner {

    private final ProducerTemplate producer;

    public SendOnStartup(ProducerTemplate producer) {
        this.producer = producer;
    }

    @Override
    public void run(ApplicationArguments args) {
        producer.sendBody("direct:send-mail", "Hello from camel-smtps-cert on Spring Boot.");
    }
}
