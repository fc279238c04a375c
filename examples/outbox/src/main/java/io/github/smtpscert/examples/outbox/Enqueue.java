package io.github.smtpscert.examples.outbox;

import java.util.ArrayList;
import java.util.List;

import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSException;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;

/** What an application does to send mail: put a message on the outbox queue, in its own transaction. */
public final class Enqueue {

    /** One mail: who it goes to, the subject, which client identity (key alias) presents it, the body. */
    public record Mail(String to, String subject, String identity, String body) {
    }

    private static final int BATCH = 500;

    private Enqueue() {
    }

    /** Puts the mails on the outbox, committed every 500; returns each one's broker message id, in order. */
    public static List<String> send(ConnectionFactory factory, List<Mail> mails) throws JMSException {
        List<String> ids = new ArrayList<>(mails.size());
        try (Connection connection = factory.createConnection();
             Session session = connection.createSession(true, Session.SESSION_TRANSACTED);
             MessageProducer producer = session.createProducer(session.createQueue(OutboxBroker.OUTBOX))) {
            for (Mail mail : mails) {
                TextMessage message = session.createTextMessage(mail.body());
                message.setStringProperty("To", mail.to());
                message.setStringProperty("Subject", mail.subject());
                message.setStringProperty(OutboxRoute.IDENTITY, mail.identity());
                producer.send(message);
                ids.add(message.getJMSMessageID());
                if (ids.size() % BATCH == 0) {
                    session.commit();
                }
            }
            session.commit();
        }
        return ids;
    }
}
