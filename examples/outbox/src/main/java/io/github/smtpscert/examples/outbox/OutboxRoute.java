package io.github.smtpscert.examples.outbox;

import java.util.concurrent.atomic.AtomicLong;

import io.github.smtpscert.SmtpsCertPermanentException;
import io.github.smtpscert.SmtpsCertConstants;
import io.github.smtpscert.SmtpsCertSendException;
import io.github.smtpscert.SmtpsCertTransientException;
import org.apache.camel.Exchange;
import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteBuilder;

/**
 * Drains the outbox queue in local JMS transactions: a message is acknowledged only when the route is done with it.
 * <ul>
 * <li>sent, under the identity its header {@value #IDENTITY} names: committed;</li>
 * <li>permanent failure (5xx, rejected recipient): moved to {@value OutboxBroker#DEAD_LETTER} with the reason;</li>
 * <li>possibly delivered (the connection broke after the final dot): moved to {@value OutboxBroker#PARKED}, never
 * retried;</li>
 * <li>other transient failure: rolled back, so the broker redelivers it after its delay (doubling each time), until
 * {@code outbox.max-attempts}, then moved to the dead letters with the reason.</li>
 * </ul>
 * A move is a send in the consumer's own JMS session, so it commits with the consume, or not at all.
 */
public class OutboxRoute extends RouteBuilder {

    /** Header of an outbox message: the client identity (key alias) to present, alice or bob. */
    public static final String IDENTITY = "OutboxIdentity";
    /** Header of a dead-lettered or parked message: why. */
    public static final String FAILURE = "OutboxFailure";
    /** Header of a dead-lettered or parked message: the SMTP reply code, or -1. */
    public static final String REPLY_CODE = "OutboxReplyCode";
    /** Header of a dead-lettered or parked message: how many times the broker had delivered it. */
    public static final String ATTEMPTS = "OutboxAttempts";

    private final AtomicLong sent = new AtomicLong();

    /** Mails this route has sent (the server accepted them), in this JVM. */
    public long sent() {
        return sent.get();
    }

    @Override
    public void configure() {
        // transient failures are redelivered by the broker (the rollback), so Camel does not redeliver in memory
        errorHandler(defaultErrorHandler().maximumRedeliveries(0).logStackTrace(false)
                .logExhaustedMessageHistory(false).retriesExhaustedLogLevel(LoggingLevel.WARN));

        onException(SmtpsCertTransientException.class)
                .onWhen(exchange -> failure(exchange).isPossiblyDelivered())
                .handled(true)
                .process(OutboxRoute::recordFailure)
                .log(LoggingLevel.WARN, "possibly delivered, parked for review: ${header.OutboxFailure}")
                .to("jms:queue:" + OutboxBroker.PARKED);

        onException(SmtpsCertTransientException.class)
                .onWhen(simple("${header.JMSXDeliveryCount} >= ${properties:outbox.max-attempts}"))
                .handled(true)
                .process(OutboxRoute::recordFailure)
                .to("jms:queue:" + OutboxBroker.DEAD_LETTER);

        onException(SmtpsCertPermanentException.class)
                .handled(true)
                .process(OutboxRoute::recordFailure)
                .to("jms:queue:" + OutboxBroker.DEAD_LETTER);

        from("jms:queue:" + OutboxBroker.OUTBOX
             + "?transacted=true&lazyCreateTransactionManager=false&cacheLevelName=CACHE_CONSUMER"
             + "&errorHandlerLogStackTrace=false"
             + "&concurrentConsumers={{outbox.concurrent-consumers}}"
             + "&maxConcurrentConsumers={{outbox.concurrent-consumers}}")
                .routeId("outbox")
                // camel-jms drops Camel* JMS properties on the way in, so the identity comes in a header of ours
                .setHeader(SmtpsCertConstants.KEY_ALIAS, header(IDENTITY))
                // the header CamelSmtpsCertKeyAlias picks alice or bob; the broker's message id gives the Message-ID,
                // so a redelivery (after a crash, say) sends the same one
                .to("smtps-cert:{{smtp.host}}:{{smtp.port}}?tlsMode={{smtp.tls-mode}}&keyStore={{client.key-store}}"
                    + "&keyStorePassword=RAW({{client.key-store-password}})&trustCertificates={{trust.certificates}}"
                    + "&allowIdentityFromHeader=true&useHeaderRecipients=true&useHeaderSubject=true"
                    + "&from={{mail.from}}&poolMaxConnections={{outbox.concurrent-consumers}}"
                    + "&messageId=${header.JMSMessageID.substring(3)}@{{outbox.message-id-domain}}")
                .process(exchange -> sent.incrementAndGet());
    }

    private static SmtpsCertSendException failure(Exchange exchange) {
        // while onWhen is evaluated the exception is still on the exchange; in the handler, only in the property
        SmtpsCertSendException e = exchange.getException(SmtpsCertSendException.class);
        return e != null ? e : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, SmtpsCertSendException.class);
    }

    private static void recordFailure(Exchange exchange) {
        SmtpsCertSendException e = failure(exchange);
        exchange.getMessage().setHeader(FAILURE, e.getMessage());
        exchange.getMessage().setHeader(REPLY_CODE, e.getReplyCode());
        exchange.getMessage().setHeader(ATTEMPTS, exchange.getMessage().getHeader("JMSXDeliveryCount"));
    }
}
