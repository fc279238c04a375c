package io.github.smtpscert;

import java.util.Arrays;
import java.util.Map;

import io.github.smtpscert.internal.tls.IdentitySource;
import org.apache.camel.Endpoint;
import org.apache.camel.SSLContextParametersAware;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.support.DefaultComponent;

/**
 * The smtps-cert component. Every option set here (camel.component.smtps-cert.* in application.properties) is a
 * default for all endpoints; an option in an endpoint URI overrides it.
 */
@Component("smtps-cert")
public class SmtpsCertComponent extends DefaultComponent implements SSLContextParametersAware {

    @Metadata(description = "Component-wide defaults for every endpoint option.")
    private SmtpsCertConfiguration configuration = new SmtpsCertConfiguration();
    @Metadata(label = "security", defaultValue = "false",
              description = "Use the CamelContext's global SSLContextParameters: its key managers give the client identity when no identity source is configured, and its trust managers the trust when no trust option is set.")
    private boolean useGlobalSslContextParameters;

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        SmtpsCertConfiguration config = configuration.copy();
        parseHostAndPort(remaining, config);
        if (parameters.keySet().stream().anyMatch(IdentitySource::isIdentityOption)) {
            // the URI names its own identity: drop all of the component's, so the two never mix
            config.clearIdentity();
        }
        checkTlsMode(parameters.get("tlsMode"));
        SmtpsCertEndpoint endpoint = new SmtpsCertEndpoint(uri, this, config);
        endpoint.beanReferences(parameters.get("clientCertificates"), parameters.get("sslContextParameters"));
        setProperties(endpoint, parameters);
        return endpoint;
    }

    /** Camel's own enum conversion error does not list the allowed values. */
    private static void checkTlsMode(Object mode) {
        if (mode instanceof String text && Arrays.stream(TlsMode.values()).noneMatch(m -> m.name().equalsIgnoreCase(text))) {
            throw SmtpsCertConfigurationException.of("tlsMode", text, "unknown TLS mode",
                    "Fix: use IMPLICIT (TLS from the first byte, usually port 465) or STARTTLS (usually port 587)");
        }
    }

    static void parseHostAndPort(String remaining, SmtpsCertConfiguration config) {
        String hostPort = remaining.startsWith("//") ? remaining.substring(2) : remaining;
        int slash = hostPort.indexOf('/');
        if (slash >= 0) {
            hostPort = hostPort.substring(0, slash);
        }
        String host = hostPort;
        String port = null;
        if (hostPort.startsWith("[")) { // IPv6 literal
            int end = hostPort.indexOf(']');
            host = hostPort.substring(1, end);
            if (hostPort.length() > end + 2 && hostPort.charAt(end + 1) == ':') {
                port = hostPort.substring(end + 2);
            }
        } else if (hostPort.indexOf(':') >= 0) {
            host = hostPort.substring(0, hostPort.indexOf(':'));
            port = hostPort.substring(hostPort.indexOf(':') + 1);
        }
        if (!host.isBlank()) {
            config.setHost(host);
        }
        if (port != null && !port.isBlank()) {
            try {
                config.setPort(Integer.parseInt(port));
            } catch (NumberFormatException e) {
                throw SmtpsCertConfigurationException.of("port", port, "is not a number",
                        "Fix: write the URI as smtps-cert:host:465 (or leave the port out)");
            }
        }
    }

    /** @return the component-wide defaults for every endpoint option */
    public SmtpsCertConfiguration getConfiguration() {
        return configuration;
    }

    /** @param configuration the component-wide defaults for every endpoint option */
    public void setConfiguration(SmtpsCertConfiguration configuration) {
        this.configuration = configuration;
    }

    @Override
    public boolean isUseGlobalSslContextParameters() {
        return useGlobalSslContextParameters;
    }

    @Override
    public void setUseGlobalSslContextParameters(boolean useGlobalSslContextParameters) {
        this.useGlobalSslContextParameters = useGlobalSslContextParameters;
    }
}
