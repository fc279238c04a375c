package io.github.smtpscert.examples.quickstart;

import java.util.ArrayList;
import java.util.List;

import io.github.smtpscert.SmtpsCertEndpoint;
import io.github.smtpscert.testsupport.MtlsSmtpServer.Delivery;
import org.apache.camel.CamelContext;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;

/**
 * Sends a few mails through {@code smtps-cert:} presenting a client certificate, prints what arrived and exits.
 * By default the mails go to an embedded server made for the run; see application.properties to use a real relay.
 */
public final class Quickstart extends MainListenerSupport {

    private EmbeddedServer embedded;
    private int expectedMessages;
    private long messagesSent;
    private final StringBuilder identityStatistics = new StringBuilder();

    public static void main(String[] args) throws Exception {
        Report report = run();
        report.print();
        if (!report.succeeded()) {
            System.exit(1);
        }
    }

    /** Runs Camel Main until the route has sent quickstart.messages mails, then reports what happened. */
    static Report run() throws Exception {
        Quickstart quickstart = new Quickstart();
        Main main = new Main();
        main.configure().addRoutesBuilder(new MailRoute());
        main.addMainListener(quickstart);
        try {
            main.run();
        } finally {
            if (quickstart.embedded != null) {
                quickstart.embedded.close();
            }
        }
        return quickstart.report();
    }

    @Override
    public void beforeConfigure(BaseMainSupport main) {
        var properties = main.getCamelContext().getPropertiesComponent();
        expectedMessages = Integer.parseInt(properties.resolveProperty("quickstart.messages").orElse("5"));
        if (Boolean.parseBoolean(properties.resolveProperty("quickstart.embedded-server").orElse("true"))) {
            embedded = new EmbeddedServer();
            properties.setOverrideProperties(embedded.properties());
        }
    }

    @Override
    public void beforeStop(BaseMainSupport main) {
        // read the counters while the endpoint is still running
        CamelContext context = main.getCamelContext();
        for (var endpoint : context.getEndpoints()) {
            if (endpoint instanceof SmtpsCertEndpoint smtps) {
                messagesSent += smtps.getMessagesSent();
                identityStatistics.append(smtps.identityStatistics()); // the JMX operation of the same name
            }
        }
    }

    private Report report() {
        return new Report(expectedMessages, embedded == null ? null : embedded.clientSubjectDn(),
                embedded == null ? List.of() : new ArrayList<>(embedded.deliveries()), messagesSent,
                identityStatistics.toString());
    }

    /**
     * What one run did.
     *
     * @param expectedMessages how many mails the route was to send
     * @param clientSubjectDn  the embedded run's client certificate subject, null when sending to a real relay
     * @param deliveries       what the embedded server accepted, empty when sending to a real relay
     * @param messagesSent       what the smtps-cert endpoints counted as accepted by the server
     * @param identityStatistics the endpoints' figures, a line per client identity
     */
    record Report(int expectedMessages, String clientSubjectDn, List<Delivery> deliveries, long messagesSent,
                  String identityStatistics) {

        boolean succeeded() {
            boolean delivered = clientSubjectDn == null || deliveries.size() == expectedMessages;
            return delivered && messagesSent() == expectedMessages;
        }

        void print() throws Exception {
            System.out.printf("smtps-cert quickstart: %d of %d messages sent%n", messagesSent(), expectedMessages);
            for (Delivery d : deliveries) {
                System.out.printf("  received \"%s\" for %s on connection %d (%s, session resumed: %s)%n",
                        d.message().getSubject(), String.join(", ", d.envelopeRecipients()), d.connectionId(),
                        d.tlsProtocol(), d.sessionResumed());
                System.out.printf("    client certificate verified by the server: %s%n", d.clientSubjectDn());
            }
            identityStatistics.lines().forEach(line -> System.out.println("  identity " + line));
            System.out.println(succeeded() ? "OK" : "FAILED: see the errors logged above");
        }
    }
}
