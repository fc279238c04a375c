package io.github.smtpscert.springboot;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;

/** Registers the {@link SslBundleTlsProvider} over Spring Boot's SSL bundles, for the smtps-cert option sslBundle. */
@AutoConfiguration(after = SslAutoConfiguration.class)
@ConditionalOnClass(SslBundles.class)
public class SmtpsCertSslBundleAutoConfiguration {

    @Bean
    @ConditionalOnBean(SslBundles.class)
    @ConditionalOnMissingBean(SslBundleTlsProvider.class)
    public SslBundleTlsProvider smtpsCertSslBundleProvider(SslBundles sslBundles) {
        return new SslBundleTlsProvider(sslBundles);
    }
}
