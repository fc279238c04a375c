package io.github.smtpscert.springboot;

import io.github.smtpscert.SmtpsCertComponent;
import org.apache.camel.Component;
import org.apache.camel.spi.ComponentCustomizer;
import org.apache.camel.spring.boot.CamelAutoConfiguration;
import org.apache.camel.spring.boot.ComponentConfigurationProperties;
import org.apache.camel.spring.boot.util.CamelPropertiesHelper;
import org.apache.camel.spring.boot.util.ConditionalOnCamelContextAndAutoConfigurationBeans;
import org.apache.camel.spring.boot.util.ConditionalOnHierarchicalProperties;
import org.apache.camel.spring.boot.util.HierarchicalPropertiesEvaluator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Lazy;

/**
 * Applies the camel.component.smtps-cert.* properties ({@link SmtpsCertComponentConfiguration}) to the smtps-cert
 * component when Camel creates it, as Camel's own component starters do: a {@link ComponentCustomizer} that copies
 * every property that is set, defaults included, with {@link CamelPropertiesHelper#copyProperties}, through the
 * component's generated configurer. Off with camel.component.smtps-cert.enabled=false (auto-configuration) or
 * camel.component.smtps-cert.customizer.enabled=false (the customizer).
 */
@AutoConfiguration(after = { CamelAutoConfiguration.class, SmtpsCertComponentConverter.class })
@Conditional(ConditionalOnCamelContextAndAutoConfigurationBeans.class)
@EnableConfigurationProperties({ ComponentConfigurationProperties.class, SmtpsCertComponentConfiguration.class })
@ConditionalOnHierarchicalProperties({ "camel.component", "camel.component.smtps-cert" })
public class SmtpsCertComponentAutoConfiguration {

    private final ApplicationContext applicationContext;
    private final SmtpsCertComponentConfiguration configuration;

    public SmtpsCertComponentAutoConfiguration(ApplicationContext applicationContext,
                                               SmtpsCertComponentConfiguration configuration) {
        this.applicationContext = applicationContext;
        this.configuration = configuration;
    }

    @Lazy
    @Bean
    public ComponentCustomizer configureSmtpsCertComponent() {
        return new ComponentCustomizer() {
            @Override
            public void configure(String name, Component target) {
                CamelPropertiesHelper.copyProperties(target.getCamelContext(), configuration, target);
            }

            @Override
            public boolean isEnabled(String name, Component target) {
                return HierarchicalPropertiesEvaluator.evaluate(applicationContext, "camel.component.customizer",
                        "camel.component.smtps-cert.customizer") && target instanceof SmtpsCertComponent;
            }
        };
    }
}
