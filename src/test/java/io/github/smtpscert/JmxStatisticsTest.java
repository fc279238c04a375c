package io.github.smtpscert;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import io.github.smtpscert.internal.transport.Sender;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The endpoint's figures as JMX attributes, and one DEBUG line per TLS handshake. */
class JmxStatisticsTest {

    @Test
    void endpointAttributesAreReadableThroughThePlatformMBeanServer() throws Exception {
        try (MtlsFixture f = new MtlsFixture(); CamelContext ctx = new DefaultCamelContext()) {
            String uri = f.uri(SessionCacheTest.alice(f) + "&maxMessagesPerConnection=2");
            ctx.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:mail").to(uri);
                }
            });
            ctx.start();
            ProducerTemplate template = ctx.createProducerTemplate();
            for (int i = 0; i < 5; i++) {
                template.sendBody("direct:mail", "message " + i);
            }

            MBeanServer mbeans = ManagementFactory.getPlatformMBeanServer();
            Set<ObjectName> names = mbeans.queryNames(new ObjectName("org.apache.camel:context=" + ctx.getManagementName()
                                                                     + ",type=endpoints,name=\"smtps-cert*\""), null);
            assertEquals(1, names.size(), names::toString);
            ObjectName name = names.iterator().next();
            assertEquals(5L, mbeans.getAttribute(name, "MessagesSent"));
            // 5 messages, 2 per connection: 3 connections, the first full, the others resuming its session
            assertEquals(1L, mbeans.getAttribute(name, "FullHandshakes"));
            assertEquals(2L, mbeans.getAttribute(name, "ResumedHandshakes"));
            assertEquals(1, mbeans.getAttribute(name, "OpenConnections"));
            assertEquals(1, mbeans.getAttribute(name, "IdleConnections"));
            assertEquals(3, f.server.connectionCount());
            String perIdentity = (String) mbeans.invoke(name, "identityStatistics", null, null);
            assertTrue(perIdentity.contains("CN=alice"), perIdentity);
        }
    }

    @Test
    void logsEachHandshakeAtDebug() throws Exception {
        Logger logger = (Logger) LogManager.getLogger(Sender.class);
        Level before = logger.getLevel();
        Capture capture = new Capture();
        capture.start();
        logger.addAppender(capture);
        logger.setLevel(Level.DEBUG);
        try (MtlsFixture f = new MtlsFixture(); CamelContext ctx = MtlsFixture.context()) {
            SessionCacheTest.sendAll(ctx, f.uri(SessionCacheTest.alice(f) + "&poolEnabled=false"), 2);

            List<String> handshakes = capture.lines.stream().filter(l -> l.startsWith("TLS handshake")).toList();
            assertEquals(2, handshakes.size(), capture.lines::toString);
            String protocol = f.server.deliveries().get(0).tlsProtocol();
            assertTrue(handshakes.get(0).matches(".*" + protocol + " TLS_\\w+ full, identity .*CN=alice.*"), handshakes.get(0));
            assertTrue(handshakes.get(1).matches(".*" + protocol + " TLS_\\w+ resumed, identity .*CN=alice.*"), handshakes.get(1));
            capture.lines.forEach(line -> assertFalse(line.contains(MtlsFixture.PW), "password logged: " + line));
        } finally {
            logger.removeAppender(capture);
            logger.setLevel(before);
            capture.stop();
        }
    }

    /** Keeps the formatted messages logged while attached. */
    private static final class Capture extends AbstractAppender {
        final List<String> lines = new CopyOnWriteArrayList<>();

        Capture() {
            super("capture", null, null, true, Property.EMPTY_ARRAY);
        }

        @Override
        public void append(LogEvent event) {
            lines.add(event.getMessage().getFormattedMessage());
        }
    }
}
