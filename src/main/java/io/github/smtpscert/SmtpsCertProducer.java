package io.github.smtpscert;

import io.github.smtpscert.internal.ConfigurationProblem;
import io.github.smtpscert.internal.message.MessageBuilder;
import io.github.smtpscert.internal.tls.Identity;
import io.github.smtpscert.internal.tls.TlsMaterial;
import io.github.smtpscert.internal.transport.SendFailure;
import io.github.smtpscert.internal.transport.Sender;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.support.DefaultProducer;

/**
 * Builds the mail from the exchange, hands it to the endpoint's sender for the exchange's identity, and sets the
 * result headers. Failures surface as {@link SmtpsCertTransientException} or {@link SmtpsCertPermanentException}.
 */
public class SmtpsCertProducer extends DefaultProducer {

    /** @param endpoint the endpoint this producer sends through */
    public SmtpsCertProducer(SmtpsCertEndpoint endpoint) {
        super(endpoint);
    }

    @Override
    public SmtpsCertEndpoint getEndpoint() {
        return (SmtpsCertEndpoint) super.getEndpoint();
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        SmtpsCertEndpoint endpoint = getEndpoint();
        MimeMessage message;
        Identity identity;
        TlsMaterial material = endpoint.tlsMaterial();
        try {
            message = endpoint.messageBuilder().createMessage(exchange, endpoint.mimeSession());
            message.saveChanges();
            String messageId = endpoint.messageId(exchange);
            if (messageId != null) {
                // after saveChanges, which makes a new one; the sender does not save again
                message.setHeader("Message-ID", messageId);
            }
            identity = endpoint.identityFor(exchange, material);
        } catch (ConfigurationProblem | MessagingException e) {
            throw new SmtpsCertPermanentException("cannot build the mail: " + e.getMessage(), exchange, e, -1);
        }
        Sender sender = endpoint.sender();
        if (sender == null) {
            throw new SmtpsCertTransientException("the smtps-cert endpoint is not started; nothing was sent",
                    exchange, null, -1, false);
        }
        Sender.Sent sent;
        try {
            sent = sender.send(message, identity, material);
        } catch (SendFailure failure) {
            // a streamed body is read while the mail is written: its failure breaks the send off before the end
            ConfigurationProblem body = MessageBuilder.unreadableBody(failure, exchange);
            if (body != null) {
                throw new SmtpsCertPermanentException("cannot build the mail: " + body.getMessage(), exchange, body,
                        -1);
            }
            throw toException(failure, exchange);
        }
        Message out = exchange.getMessage();
        if (sent.presentedSubjectDn() != null) {
            out.setHeader(SmtpsCertConstants.CLIENT_CERTIFICATE, sent.presentedSubjectDn());
        } else {
            out.removeHeader(SmtpsCertConstants.CLIENT_CERTIFICATE);
        }
        out.setHeader(SmtpsCertConstants.SESSION_RESUMED, sent.resumed());
        if (sent.rejectedRecipients() != null) {
            out.setHeader(SmtpsCertConstants.REJECTED_RECIPIENTS, sent.rejectedRecipients());
        }
        out.setHeader(SmtpsCertConstants.MESSAGE_ID, message.getMessageID());
    }

    private static SmtpsCertSendException toException(SendFailure failure, Exchange exchange) {
        if (failure.rejectedRecipients() != null) {
            exchange.getMessage().setHeader(SmtpsCertConstants.REJECTED_RECIPIENTS, failure.rejectedRecipients());
        }
        return failure.isPermanent()
                ? new SmtpsCertPermanentException(failure.getMessage(), exchange, failure.getCause(), failure.replyCode())
                : new SmtpsCertTransientException(failure.getMessage(), exchange, failure.getCause(),
                        failure.replyCode(), failure.isPossiblyDelivered());
    }
}
