package io.github.smtpscert.examples.springboot;

import java.util.Map;

import io.github.smtpscert.SmtpsCertComponent;
import io.github.smtpscert.SmtpsCertComponentConfigurer;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.ComponentCustomizer;
import org.apache.camel.util.StringHelper;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * camel-spring-boot binds camel.component.NAME.* only for components that ship a Spring Boot starter, and
 * smtps-cert has none. This applies the camel.component.smtps-cert.* properties with the component's generated
 * configurer, so they read exactly as in Camel Main: kebab-case or camelCase names, durations such as 30s,
 * #bean references; an unknown name stops the start.
 */
@Configuration
public class SmtpsCertProperties {

    static final String PREFIX = "camel.component.smtps-cert";

    @Bean
    ComponentCustomizer smtpsCertComponentProperties(Environment environment, CamelContext camelContext) {
        Map<String, String> options = Binder.get(environment)
                .bind(PREFIX, Bindable.mapOf(String.class, String.class))
                .orElse(Map.of());
        SmtpsCertComponentConfigurer configurer = new SmtpsCertComponentConfigurer();
        return ComponentCustomizer.forType(SmtpsCertComponent.class, component -> options.forEach((name, value) -> {
            if (!configurer.configure(camelContext, component, StringHelper.dashToCamelCase(name), value, true)) {
                throw new IllegalArgumentException(PREFIX + "." + name + " is not an option of the smtps-cert component");
            }
        }));
    }
}
