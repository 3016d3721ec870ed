"""The core pages, a module for each part of the site: site, sign_in, account, users, security, audit, holidays."""
