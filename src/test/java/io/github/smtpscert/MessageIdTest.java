package io.github.smtpscert;

import java.util.List;

import io.github.smtpscert.testsupport.FaultySmtpServer;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The messageId option: a Message-ID from the exchange, the same on every attempt, checked before anything is sent. */
class MessageIdTest {

    @RegisterExtension
    static final FaultyFixture FIXTURE = FaultyFixture.perClass();
    private static final String BY_OUTBOX_ID = "messageId=${header.OutboxId}@outbox.example.org";
    private static final FaultySmtpServer server = FIXTURE.server;

    private CamelContext ctx;

    @BeforeEach
    void context() throws Exception {
        ctx = MtlsFixture.context();
    }

    @AfterEach
    void closeContext() throws Exception {
        ctx.close();
    }

    private static String uri(String options) {
        return FIXTURE.uri() + "&" + options;
    }

    @Test
    void aRedeliveryAfterAPossiblyDeliveredSendCarriesTheSameMessageId() throws Exception {
        // the server keeps the message and the connection breaks before its reply: the retry is a duplicate
        List<FaultySmtpServer.Stored> stored = sendTwiceThroughRedelivery(BY_OUTBOX_ID, "order-42");

        assertEquals(2, stored.size(), "the server received the mail twice");
        assertEquals("<order-42@outbox.example.org>", stored.get(0).messageId());
        assertEquals("<order-42@outbox.example.org>", stored.get(1).messageId());
    }

    @Test
    void withoutTheOptionEachAttemptHasItsOwnMessageId() throws Exception {
        List<FaultySmtpServer.Stored> stored = sendTwiceThroughRedelivery("subject=hello", "order-43");

        assertEquals(2, stored.size());
        assertNotEquals(stored.get(0).messageId(), stored.get(1).messageId());
    }

    @Test
    void theHeaderReportsTheMessageIdSent() {
        int before = server.stored().size();
        Exchange ex = send(BY_OUTBOX_ID, "a.b-c_d");

        assertNull(ex.getException());
        assertEquals("<a.b-c_d@outbox.example.org>", ex.getMessage().getHeader(SmtpsCertConstants.MESSAGE_ID));
        assertEquals("<a.b-c_d@outbox.example.org>", server.stored().get(before).messageId());
    }

    @Test
    void angleBracketsAreKeptWhenGiven() {
        int before = server.stored().size();
        Exchange ex = send("messageId=${header.OutboxId}", "<given.1@example.org>");

        assertNull(ex.getException());
        assertEquals("<given.1@example.org>", server.stored().get(before).messageId());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ID:4c1e-77", "two@at@signs", "with space", "x\r\nBcc: evil@example.org", "<unclosed"})
    void aValueThatIsNotAMessageIdFailsPermanentlyAndNothingIsSent(String outboxId) {
        int before = server.stored().size();
        Exchange ex = send("messageId=${header.OutboxId}", outboxId);

        SmtpsCertPermanentException e = assertInstanceOf(SmtpsCertPermanentException.class, ex.getException());
        assertTrue(e.getMessage().startsWith("cannot build the mail: messageId="), e.getMessage());
        assertTrue(e.getMessage().contains("is not a Message-ID") && e.getMessage().contains("Fix:"), e.getMessage());
        assertTrue(!e.getMessage().contains("\n") && !e.getMessage().contains("\r"), "one line: " + e.getMessage());
        assertEquals(before, server.stored().size());
    }

    @Test
    void aMissingValueFailsNamingTheOption() {
        int before = server.stored().size();
        Exchange ex = send("messageId=${header.OutboxId}", null);

        SmtpsCertPermanentException e = assertInstanceOf(SmtpsCertPermanentException.class, ex.getException());
        assertTrue(e.getMessage().contains("messageId: gave an empty Message-ID"), e.getMessage());
        assertEquals(before, server.stored().size());
    }

    @Test
    void anExpressionThatFailsForThisExchangeFailsPermanentlyNamingTheOption() {
        int before = server.stored().size();
        Exchange ex = send("messageId=${header.OutboxId.substring(99)}@outbox.example.org", "short");

        SmtpsCertPermanentException e = assertInstanceOf(SmtpsCertPermanentException.class, ex.getException());
        assertTrue(e.getMessage().contains("messageId=${header.OutboxId.substring(99)}@outbox.example.org: cannot be "
                                           + "evaluated for this exchange"), e.getMessage());
        assertEquals(before, server.stored().size());
    }

    @Test
    void aFixedValueThatIsNotAMessageIdStopsTheEndpointAtStart() {
        Exception e = assertThrows(Exception.class,
                () -> ctx.createProducerTemplate().sendBody(uri("messageId=no-at-sign"), "body"));
        StringBuilder messages = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            messages.append(t.getMessage()).append(" | ");
        }
        assertTrue(messages.toString().contains("messageId=no-at-sign: is not a Message-ID"), messages.toString());
    }

    private Exchange send(String options, String outboxId) {
        return ctx.createProducerTemplate().send(uri(options), exchange -> {
            exchange.getMessage().setBody("body");
            exchange.getMessage().setHeader("OutboxId", outboxId);
        });
    }

    private List<FaultySmtpServer.Stored> sendTwiceThroughRedelivery(String options, String outboxId)
            throws Exception {
        ctx.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                // retries even a possibly-delivered failure, which docs/error-handling.md advises against: to show
                // that the receiver can still tell the copies apart
                errorHandler(defaultErrorHandler().maximumRedeliveries(1).redeliveryDelay(0));
                from("direct:outbox").to(uri(options));
            }
        });
        int before = server.stored().size();
        server.failNext(FaultySmtpServer.Step.END_OF_DATA, FaultySmtpServer.Fault.close());
        Exchange ex = ctx.createProducerTemplate().send("direct:outbox", exchange -> {
            exchange.getMessage().setBody("body");
            exchange.getMessage().setHeader("OutboxId", outboxId);
        });
        assertNull(ex.getException(), () -> "the redelivery failed: " + ex.getException());
        List<FaultySmtpServer.Stored> all = server.stored();
        return all.subList(before, all.size());
    }
}
