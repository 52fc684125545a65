namespace Tollgate.Configuration;

/// <summary>
/// The names a <c>general_settings</c> key may have: Tollgate's own, and LiteLLM's (which an existing LiteLLM
/// config carries and Tollgate ignores). Any other key is most likely a typo and is warned about at start,
/// with the nearest known name. LiteLLM's list is from its proxy's <c>ConfigGeneralSettings</c> and the
/// settings its proxy reads besides; add a name here when LiteLLM documents a new one.
/// </summary>
internal static class SettingNames
{
    /// <summary>The <c>general_settings</c> keys Tollgate reads (<see cref="ConfigLoader"/>).</summary>
    public static readonly HashSet<string> TollgateGeneral =
    [
        "master_key", "database_url", "redis_url", "allow_unauthenticated", "max_request_size_mb",
        "graceful_shutdown_timeout", "pass_through_endpoints", "virtual_keys", "max_buffered_request_mb", "allowed_websocket_origins",
    ];

    /// <summary>LiteLLM's <c>general_settings</c> keys that Tollgate does not use.</summary>
    public static readonly HashSet<string> LitellmGeneral =
    [
        "admin_only_routes", "alert_to_webhook_url", "alert_types", "alerting", "alerting_args", "alerting_threshold",
        "allow_cli_sso_verification_uri_complete", "allow_requests_on_db_unavailable", "allow_user_auth", "allowed_ips",
        "allowed_routes", "apply_user_budget_to_team_keys", "background_health_check_model_groups", "background_health_checks",
        "cancel_on_disconnect", "completion_model", "control_plane_url", "coordination_redis", "custom_auth",
        "custom_auth_settings", "custom_key_generate", "custom_sso", "custom_ui_sso_sign_in_handler", "database_args",
        "database_connect_timeout", "database_connection_pool_limit", "database_connection_timeout",
        "database_disable_prepared_statements", "database_extra_connection_params", "database_socket_timeout", "database_type",
        "default_team_disabled", "disable_adding_master_key_hash_to_db", "disable_auto_add_proxy_admin_to_teams",
        "disable_budget_reservation", "disable_error_logs", "disable_master_key_return", "disable_prisma_schema_update",
        "disable_reset_budget", "disable_responses_id_security", "disable_retry_on_max_parallel_request_limit_error",
        "disable_spend_logs", "embedding_model", "enable_health_check_routing", "enable_jwt_auth", "enable_oauth2_auth",
        "enable_oauth2_proxy_auth", "enable_public_model_hub", "enforce_user_param", "enforced_params",
        "forward_client_headers_to_llm_api", "forward_openai_org_id", "global_max_parallel_requests", "health_check_concurrency",
        "health_check_details", "health_check_interval", "health_check_skip_disabled_background_models", "image_generation_model",
        "infer_model_from_keys", "key_management_settings", "key_management_system", "litellm_jwtauth", "litellm_key_header_name",
        "max_batch_file_size_mb", "max_parallel_requests", "max_response_size_mb", "maximum_autorouter_session_retention_period",
        "maximum_health_check_retention_period", "maximum_spend_logs_cleanup_batch_size", "maximum_spend_logs_cleanup_batch_timeout",
        "maximum_spend_logs_cleanup_max_batches", "maximum_spend_logs_cleanup_run_budget", "maximum_spend_logs_retention_interval",
        "maximum_spend_logs_retention_period", "mcp_internal_ip_ranges", "mcp_required_fields", "mcp_trusted_proxy_ranges",
        "mcp_xff_num_trusted_hops", "model_list_healthy_only", "moderation_model", "oauth2_config_mappings", "otel",
        "pass_through_request_timeout", "plugins", "provider_url_destination_allowed_hosts", "proxy_batch_write_at",
        "proxy_budget_rescheduler_max_time", "proxy_budget_rescheduler_min_time", "proxy_config_reload_interval_seconds",
        "public_routes", "reject_clientside_metadata_tags", "scheduled_job_stagger", "service_account_settings",
        "spend_report_frequency", "store_model_in_db", "store_prompts_in_spend_logs", "supported_db_objects",
        "trusted_proxy_ranges", "ui_access_mode", "use_azure_key_vault", "use_client_credentials_pass_through_routes",
        "use_google_kms", "use_redis_transaction_buffer", "use_shared_health_check", "use_spend_logs_partitioning",
        "use_x_forwarded_for", "user_api_key_cache_ttl", "user_header_mappings", "user_header_name", "user_mcp_management_mode",
        "user_url_allowed_hosts", "user_url_validation",
    ];

    /// <summary>The known name closest to <paramref name="name"/> by edit distance (ties: the first in order).</summary>
    public static string Nearest(string name, IEnumerable<string> known)
    {
        var best = "";
        var bestDistance = int.MaxValue;
        foreach (var candidate in known.Order(StringComparer.Ordinal))
        {
            var distance = EditDistance(name, candidate);
            if (distance < bestDistance)
            {
                (best, bestDistance) = (candidate, distance);
            }
        }

        return best;
    }

    /// <summary>Levenshtein distance: the fewest single-character insertions, deletions and substitutions.</summary>
    public static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
