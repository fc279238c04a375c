package io.github.smtpscert.examples.registry;

import org.apache.camel.main.Main;

/** Camel Main with the identity beans and the two routes; stops after both mails. */
public final class RegistryBeanApp {

    public static void main(String[] args) throws Exception {
        create().run(args);
    }

    static Main create() {
        Main main = new Main();
        main.configure().addConfiguration(ClientIdentityBeans.class);
        main.configure().addRoutesBuilder(new MailRoutes());
        return main;
    }
}
