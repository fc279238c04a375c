package io.github.smtpscert.springboot;

import java.security.KeyStore;
import java.util.Map;

import io.github.smtpscert.SmtpsCertComponent;
import io.github.smtpscert.SmtpsCertConfiguration;
import io.github.smtpscert.TlsMode;
import org.apache.camel.CamelContext;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** camel.component.smtps-cert.* reaches the component with no user code: relaxed names, durations, bean references. */
@SpringBootTest(classes = { TestApplication.class, PropertiesBindingTest.Beans.class }, properties = {
    "camel.component.smtps-cert.pool-max-connections=7",
    "camel.component.smtps-cert.reload-interval=5s",
    "camel.component.smtps-cert.certificate-expiry-warning=30d",
    "camel.component.smtps-cert.pool-idle-timeout=1500",
    "camel.component.smtps-cert.tls-mode=starttls",
    "camel.component.smtps-cert.keyStoreType=JKS",
    "camel.component.smtps-cert.use_header_subject=true",
    "camel.component.smtps-cert.from=sender@example.org",
    "camel.component.smtps-cert.ssl-bundle=mail",
    "camel.component.smtps-cert.client-certificates=#identityStore",
    "camel.component.smtps-cert.ssl-context-parameters=#bean:mailTls",
    "camel.component.smtps-cert.use-global-ssl-context-parameters=true",
    "camel.component.smtps-cert.lazy-start-producer=true"
})
class PropertiesBindingTest {

    @Configuration(proxyBeanMethods = false)
    static class Beans {
        @Bean
        KeyStore identityStore() throws Exception {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            return store;
        }

        @Bean
        SSLContextParameters mailTls() {
            return new SSLContextParameters();
        }
    }

    @Autowired
    CamelContext camelContext;

    @Autowired
    KeyStore identityStore;

    @Autowired
    SSLContextParameters mailTls;

    @Test
    void kebabCaseCamelCaseAndUnderscoresBind() {
        SmtpsCertComponent component = camelContext.getComponent("smtps-cert", SmtpsCertComponent.class);
        SmtpsCertConfiguration c = component.getConfiguration();
        assertEquals(7, c.getPoolMaxConnections());
        assertEquals(5_000, c.getReloadInterval());
        assertEquals(30L * 24 * 3600 * 1000, c.getCertificateExpiryWarning());
        assertEquals(1_500, c.getPoolIdleTimeout());
        assertEquals(TlsMode.STARTTLS, c.getTlsMode());
        assertEquals("JKS", c.getKeyStoreType());
        assertTrue(c.isUseHeaderSubject());
        assertEquals("sender@example.org", c.getFrom());
        assertEquals("mail", c.getSslBundle());
        assertTrue(component.isUseGlobalSslContextParameters());
        assertTrue(component.isLazyStartProducer());
    }

    @Test
    void beanReferencesBindToTheBeans() {
        SmtpsCertConfiguration c = camelContext.getComponent("smtps-cert", SmtpsCertComponent.class).getConfiguration();
        assertSame(identityStore, c.getClientCertificates());
        assertSame(mailTls, c.getSslContextParameters());
    }

    @Test
    void unsetOptionsKeepTheComponentsDefaults() {
        SmtpsCertConfiguration c = camelContext.getComponent("smtps-cert", SmtpsCertComponent.class).getConfiguration();
        SmtpsCertConfiguration defaults = new SmtpsCertConfiguration();
        assertEquals(defaults.getCipherSuites(), c.getCipherSuites());
        assertEquals(defaults.getProtocols(), c.getProtocols());
        assertEquals(defaults.getPoolValidateAfterInactivity(), c.getPoolValidateAfterInactivity());
        assertEquals(defaults.getTrustStoreType(), c.getTrustStoreType());
        assertEquals(defaults.isVerifyHostname(), c.isVerifyHostname());
        assertEquals(defaults.getKeyStore(), c.getKeyStore());
    }

    @Test
    void environmentVariablesBind() {
        try (ConfigurableApplicationContext context = start(Map.of(
                "CAMEL_COMPONENT_SMTPSCERT_POOLMAXCONNECTIONS", "9",
                "CAMEL_COMPONENT_SMTPSCERT_RELOADINTERVAL", "2m"))) {
            SmtpsCertConfiguration c = context.getBean(CamelContext.class)
                    .getComponent("smtps-cert", SmtpsCertComponent.class).getConfiguration();
            assertEquals(9, c.getPoolMaxConnections());
            assertEquals(120_000, c.getReloadInterval());
        }
    }

    @Test
    void enabledFalseLeavesTheComponentAlone() {
        try (ConfigurableApplicationContext context = start(Map.of(
                "CAMEL_COMPONENT_SMTPSCERT_ENABLED", "false",
                "CAMEL_COMPONENT_SMTPSCERT_POOLMAXCONNECTIONS", "9"))) {
            assertFalse(context.containsBean("configureSmtpsCertComponent"));
            SmtpsCertConfiguration c = context.getBean(CamelContext.class)
                    .getComponent("smtps-cert", SmtpsCertComponent.class).getConfiguration();
            assertEquals(new SmtpsCertConfiguration().getPoolMaxConnections(), c.getPoolMaxConnections());
        }
    }

    /** An application whose only properties are these environment variables. */
    private static ConfigurableApplicationContext start(Map<String, Object> environmentVariables) {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                        environmentVariables));
        return new SpringApplicationBuilder(TestApplication.class).web(WebApplicationType.NONE)
                .environment(environment).run();
    }
}
