package io.github.smtpscert.examples.registry;

import java.util.concurrent.atomic.AtomicLong;

import io.github.smtpscert.SmtpsCertEndpoint;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;

/** Camel Main with the identity beans and the two routes; stops after both mails, exits 1 unless both were sent. */
public final class RegistryBeanApp {

    static final int MAILS = 2;

    public static void main(String[] args) throws Exception {
        Main main = create();
        // Camel Main's own exit code does not tell whether a mail failed: count what the endpoints sent
        AtomicLong sent = new AtomicLong();
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void beforeStop(BaseMainSupport camelMain) {
                for (var endpoint : camelMain.getCamelContext().getEndpoints()) {
                    if (endpoint instanceof SmtpsCertEndpoint smtps) {
                        sent.addAndGet(smtps.getMessagesSent());
                    }
                }
            }
        });
        main.run(args);
        if (sent.get() != MAILS) {
            System.err.printf("%d of %d mails sent%n", sent.get(), MAILS);
            System.exit(1);
        }
    }

    static Main create() {
        Main main = new Main();
        main.configure().addConfiguration(ClientIdentityBeans.class);
        main.configure().addRoutesBuilder(new MailRoutes());
        return main;
    }
}
