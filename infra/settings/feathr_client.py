"""What the emitted Feathr client config says beyond the endpoints this program builds."""

from __future__ import annotations

from dataclasses import dataclass

from infra.settings.reader import Section


@dataclass(frozen=True)
class FeathrClientSettings:
    project_name: str
    spark_result_output_parts: int


def parse_feathr_client(section: Section, environment: str) -> FeathrClientSettings:
    settings = FeathrClientSettings(
        # Feathr prefixes Spark job names with it; keep it to characters every Spark UI accepts.
        project_name=section.string(
            "projectName",
            f"feathr_{environment}",
            pattern=r"[A-Za-z][A-Za-z0-9_]{0,49}",
            rule="1-50 letters, digits or '_', starting with a letter",
        ),
        spark_result_output_parts=section.integer("sparkResultOutputParts", 1, minimum=1, maximum=1000),
    )
    section.finish()
    return settings
