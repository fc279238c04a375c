package io.github.smtpscert.examples.outbox;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.QueueBrowser;
import jakarta.jms.QueueConnection;
import jakarta.jms.QueueRequestor;
import jakarta.jms.QueueSession;
import jakarta.jms.Session;
import org.apache.activemq.artemis.api.core.management.ResourceNames;
import org.apache.activemq.artemis.api.jms.management.JMSManagementHelper;

/** Reads the broker's queues: what is left in a queue, and the properties of what a queue holds. */
public final class Queues {

    private Queues() {
    }

    /** Messages in the queue, those being delivered (not yet acknowledged) included; from Artemis management. */
    public static long messageCount(ConnectionFactory factory, String queue) throws Exception {
        try (QueueConnection connection = (QueueConnection) factory.createConnection();
             QueueSession session = connection.createQueueSession(false, Session.AUTO_ACKNOWLEDGE)) {
            QueueRequestor requestor = new QueueRequestor(session, session.createQueue("activemq.management"));
            connection.start();
            Message request = session.createMessage();
            JMSManagementHelper.putAttribute(request, ResourceNames.QUEUE + queue, "messageCount");
            Message reply = requestor.request(request);
            return ((Number) JMSManagementHelper.getResult(reply)).longValue();
        }
    }

    /** The properties (JMS headers) of every message in the queue, in queue order. */
    public static List<Map<String, Object>> browse(ConnectionFactory factory, String queue) throws JMSException {
        List<Map<String, Object>> messages = new ArrayList<>();
        try (Connection connection = factory.createConnection();
             Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
             QueueBrowser browser = session.createBrowser(session.createQueue(queue))) {
            connection.start();
            for (Object each : Collections.list(browser.getEnumeration())) {
                Message message = (Message) each;
                Map<String, Object> properties = new HashMap<>();
                for (Object name : Collections.list(message.getPropertyNames())) {
                    properties.put((String) name, message.getObjectProperty((String) name));
                }
                messages.add(properties);
            }
        }
        return messages;
    }
}
