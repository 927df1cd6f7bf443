package dev.weft.spring;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AuthorizeHttpRequestsConfigurer;
import org.springframework.security.web.SecurityFilterChain;

/**
 * When Spring Security is present and the application has not configured it (no {@link SecurityFilterChain} of
 * its own): a chain for Weft's path that authorizes reads and writes ({@code weft.security.read-role},
 * {@code weft.security.write-role}; any authenticated user when unset), with HTTP Basic, and, since defining a
 * chain turns Spring Boot's default one off, that default for every other path (any authenticated user, form
 * login and HTTP Basic). An application with its own chains keeps them; it then authorizes Weft's path itself
 * (see docs/embedding.md).
 *
 * <p>Weft's path is exempt from Spring's CSRF token: Weft's API refuses cross-site writes itself (a write must
 * be JSON, from its own origin).
 */
@AutoConfiguration(beforeName = {
        "org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration",
        "org.springframework.boot.security.autoconfigure.actuate.web.servlet.ManagementWebSecurityAutoConfiguration"})
@ConditionalOnClass({SecurityFilterChain.class, HttpSecurity.class})
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnMissingBean(SecurityFilterChain.class)
@ConditionalOnProperty(name = "weft.http.enabled", havingValue = "true", matchIfMissing = true)
public class WeftSecurityAutoConfiguration {

    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE + 100)
    SecurityFilterChain weftSecurityFilterChain(HttpSecurity http, WeftProperties props) throws Exception {
        String path = WeftAutoConfiguration.WebConfiguration.normalize(props.http().path());
        WeftProperties.Security roles = props.security();
        http.securityMatcher(path, path + "/**")
                .authorizeHttpRequests(a -> {
                    require(a.requestMatchers(HttpMethod.GET, path, path + "/**"), roles == null ? null
                            : roles.readRole());
                    require(a.requestMatchers(HttpMethod.HEAD, path, path + "/**"), roles == null ? null
                            : roles.readRole());
                    require(a.anyRequest(), roles == null ? null : roles.writeRole());
                })
                .httpBasic(Customizer.withDefaults())
                .csrf(c -> c.disable());
        return http.build();
    }

    @Bean
    @Order(Ordered.LOWEST_PRECEDENCE - 100)
    SecurityFilterChain weftDefaultSecurityFilterChain(HttpSecurity http) throws Exception {
        http.authorizeHttpRequests(a -> a.anyRequest().authenticated())
                .formLogin(Customizer.withDefaults())
                .httpBasic(Customizer.withDefaults());
        return http.build();
    }

    private static void require(AuthorizeHttpRequestsConfigurer<HttpSecurity>.AuthorizedUrl url, String role) {
        if (role == null || role.isBlank()) {
            url.authenticated();
        } else {
            url.hasRole(role.trim());
        }
    }
}
